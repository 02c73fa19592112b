/**
 * Thrown by a job handler when running the job again cannot help (a webhook URL the egress
 * policy refuses, a payload that does not decode): the job goes to the dead-letter queue now
 * instead of after every retry.
 */
export class PermanentJobError extends Error {
  constructor(
    message: string,
    readonly code = 'PERMANENT_FAILURE',
  ) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

/** The transport could not take a message (broker down, publish not confirmed in time, full). */
export class QueueUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QueueUnavailableError';
  }
}

export interface RetryHint {
  /** Do not retry sooner than this (a provider's Retry-After, an open circuit's cool-down). */
  retryAfterMs?: number;
  /**
   * False when the run did no work worth counting (the call was refused before it was made,
   * e.g. by an open circuit breaker): the attempt is given back, within a bound.
   */
  attempted?: boolean;
}

/**
 * A run failed in a way worth retrying (a webhook answered 500, a dependency timed out). Its
 * message is shown to the job's owner, so it is written to be client-safe.
 */
export class RetryableJobError extends Error {
  constructor(
    message: string,
    readonly code = 'JOB_ATTEMPT_FAILED',
    readonly hint: RetryHint = {},
  ) {
    super(message);
    this.name = 'RetryableJobError';
  }
}
