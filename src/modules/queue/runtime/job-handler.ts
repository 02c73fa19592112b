import type { JsonValue } from '../core/job-envelope';
import type { JobError, JobRecord } from '../jobs/job.types';

/** What a handler gets for one run. */
export interface JobContext<P> {
  /** The job as claimed: `attempts` includes this run; an earlier run's saved outcome is kept. */
  job: JobRecord;
  payload: P;
  /** Aborted on shutdown (after the grace period) or when the run outlives its lease. */
  signal: AbortSignal;
  /**
   * Stores the outcome before the side effects that follow it (a webhook POST), so a retry after
   * a failed side effect finds it in `job` and does not redo the expensive part.
   */
  saveOutcome(outcome: { result: JsonValue | null; error: JobError | null }): Promise<void>;
}

/** How a run ended when it did not throw. `failed` is a definite answer, not a retry. */
export interface JobOutcome {
  status: 'completed' | 'failed';
  result?: JsonValue | null;
  error?: JobError | null;
}

/**
 * A job handler, written once for every transport. It must be idempotent: a job can be run more
 * than once (at-least-once delivery), so it checks `job` for work an earlier run finished.
 * Throw PermanentJobError when retrying cannot help, anything else to retry with backoff.
 */
export interface JobHandler<P = JsonValue> {
  run(ctx: JobContext<P>): Promise<JobOutcome | void>;
  /**
   * Called once the job is dead (retries exhausted or a permanent error), with its final
   * error in `job.error`: the place to tell its owner (e.g. a final webhook). Best effort: it
   * runs once, bounded by `signal`, and its failure is only logged.
   */
  dead?(ctx: { job: JobRecord; payload: P; signal: AbortSignal }): Promise<void>;
}

export interface JobHandlerOptions<P> {
  /** Checks and types the payload; throw to dead-letter a payload no run could use. */
  parse: (payload: JsonValue) => P;
  /** Jobs of this type running at once per instance (default QUEUE_CONCURRENCY). */
  concurrency?: number;
  /** Runs before the job is dead-lettered (default QUEUE_MAX_ATTEMPTS). */
  maxAttempts?: number;
  /** How long one run may take before it is aborted and presumed dead (default 15 min). */
  leaseMs?: number;
  /**
   * Messages without a job record (`JobQueue.send`): no claim, no status, no attempt budget.
   * The handler's effects must be idempotent by the message id; a failed run is retried until
   * it succeeds (a PermanentJobError dead-letters it). Only durable with RabbitMQ.
   */
  untracked?: boolean;
  /** Caps the retry delay (default one hour), e.g. for work that should land soon after an outage. */
  maxRetryDelayMs?: number;
}
