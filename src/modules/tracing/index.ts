/** The tracing module's public surface; other modules import from here only. */
export { TracingModule } from './tracing.module';
export { Telemetry } from './telemetry';
export { tracingEnvFields, type TracingEnv } from './tracing.config';
