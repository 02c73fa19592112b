/** The metrics module's public surface: import from here, not from its internals. */
export { MetricsModule } from './metrics.module';
export { MetricsRecorder, type FlushResult, type RecorderStats } from './buffer/metrics-recorder';
export type { UsageRow, UsageStatus } from './usage-row';
