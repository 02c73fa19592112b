import { counter, gauge, histogram } from '../../../common/metrics/prom';

/** Why a usage row never reached the database. */
export type DropReason = 'buffer_full' | 'invalid' | 'rejected' | 'shutdown';

/** The recorder's own health in /metrics: nothing it loses goes uncounted. */
export function recorderMetrics() {
  return {
    recorded: counter('gateway_metrics_rows_recorded_total', 'Usage rows accepted into the buffer'),
    flushed: counter(
      'gateway_metrics_rows_flushed_total',
      'Usage rows written to the metrics table',
    ),
    dropped: counter(
      'gateway_metrics_rows_dropped_total',
      'Usage rows lost: buffer_full (oldest dropped while the database was unreachable), invalid (rejected by validation), rejected (refused by the database), shutdown (unwritten at exit)',
      ['reason'],
    ),
    flushFailures: counter(
      'gateway_metrics_flush_failures_total',
      'Batch writes of usage rows that failed (the rows are kept and retried)',
    ),
    buffered: gauge(
      'gateway_metrics_buffer_rows',
      'Usage rows held in memory (waiting or being written)',
    ),
    flushDuration: histogram(
      'gateway_metrics_flush_duration_seconds',
      'Duration of one batch INSERT of usage rows',
      ['outcome'],
    ),
  };
}

export type RecorderMetrics = ReturnType<typeof recorderMetrics>;
