/** The metrics module's public surface: import from here, not from its internals. */
export { MetricsModule } from './metrics.module';
export { MetricsRecorder, type FlushResult, type RecorderStats } from './buffer/metrics-recorder';
export { toUsageRecord, type UsageRecord, type UsageRow, type UsageStatus } from './usage-row';
export { UsageRowWriter } from './storage/usage-row.writer';
export { toUsageEntityValues } from './storage/typeorm-usage-row.writer';
export { UsageMetricEntity } from './storage/usage-metric.entity';
