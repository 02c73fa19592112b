/** Injection token of the metrics module's tunables (see `MetricsModule.forRoot`). */
export const METRICS_OPTIONS = Symbol('METRICS_OPTIONS');

export interface MetricsOptions {
  /** Rows held in memory at most (buffered + being written); beyond it the oldest are dropped. */
  maxBufferedRows: number;
  /** Rows per INSERT; reaching it triggers a flush without waiting for the interval. */
  batchSize: number;
  /** A buffered row waits at most this long before a flush starts. */
  flushIntervalMs: number;
  /** First retry delay after a failed write; doubles per consecutive failure. */
  retryInitialDelayMs: number;
  retryMaxDelayMs: number;
  /** TimescaleDB only: raw rows older than this are dropped by a retention policy. */
  retentionDays: number;
  /** Source of randomness for retry jitter (tests pin it). */
  random: () => number;
}

export const DEFAULT_METRICS_OPTIONS: MetricsOptions = {
  maxBufferedRows: 10_000,
  batchSize: 500,
  flushIntervalMs: 1_000,
  retryInitialDelayMs: 1_000,
  retryMaxDelayMs: 30_000,
  retentionDays: 90,
  random: Math.random,
};

/** Postgres allows 65535 bind parameters per statement; 18 columns per row. */
export const MAX_BATCH_SIZE = 3_000;

/** Fills defaults and rejects nonsense at boot rather than misbehaving at runtime. */
export function resolveMetricsOptions(overrides: Partial<MetricsOptions> = {}): MetricsOptions {
  const o: MetricsOptions = { ...DEFAULT_METRICS_OPTIONS, ...overrides };
  const positive = (name: keyof MetricsOptions, max = Number.MAX_SAFE_INTEGER) => {
    const v = o[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
      throw new RangeError(`metrics option ${name} must be an integer between 1 and ${max}`);
    }
  };
  positive('maxBufferedRows');
  positive('batchSize', MAX_BATCH_SIZE);
  positive('flushIntervalMs');
  positive('retryInitialDelayMs');
  positive('retryMaxDelayMs');
  positive('retentionDays', 36_500);
  if (o.batchSize > o.maxBufferedRows) {
    throw new RangeError('metrics option batchSize must not exceed maxBufferedRows');
  }
  if (o.retryMaxDelayMs < o.retryInitialDelayMs) {
    throw new RangeError('metrics option retryMaxDelayMs must be >= retryInitialDelayMs');
  }
  return o;
}
