/** The monitoring module's public surface; other modules and bootstrap import from here only. */
export { MonitoringModule } from './monitoring.module';
export { LifecycleState } from './lifecycle.state';
export { registerHttpMetrics } from './http-metrics';
