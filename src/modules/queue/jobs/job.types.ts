import type { JsonValue } from '../core/job-envelope';

/**
 * - queued: waiting for a run (the first, or a retry after `run_after`; `last_error` says why)
 * - running: a worker holds it (its lease ends at `lease_until`)
 * - completed / failed: finished; `failed` is a definite answer, e.g. the agent does not exist
 * - dead: gave up (retries exhausted or a permanent error); in the dead-letter queue
 */
export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'dead';

export const FINISHED_STATUSES: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'dead']);

export const JOB_ID_PREFIX = 'job';

/** The error code of a job whose message never reached the broker (the client got a 503). */
export const NOT_ENQUEUED = 'NOT_ENQUEUED';

/** A client-safe error: a code from the ErrorCode enum (or a queue code) and a message. */
export interface JobError {
  code: string;
  message: string;
}

export interface JobRecord {
  id: string;
  org_id: string;
  type: string;
  status: JobStatus;
  /** Runs started so far (a crash mid-run counts too). */
  attempts: number;
  max_attempts: number;
  /** What the job was asked to do, as published: sealed when an encryption key exists. */
  payload: JsonValue;
  result: JsonValue | null;
  /** The final error of a failed or dead job. */
  error: JobError | null;
  /** The error of the most recent failed run, while retries continue. */
  last_error: JobError | null;
  idempotency_key: string | null;
  /** Fingerprint of the request that created the job, to refuse a key reused for another one. */
  request_hash: string | null;
  lease_token: string | null;
  lease_until: Date | null;
  /** Earliest time of the next run (after a failure). */
  run_after: Date | null;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export interface NewJob {
  id: string;
  type: string;
  max_attempts: number;
  payload: JsonValue;
  idempotency_key?: string;
  request_hash?: string;
}

/** What a claim attempt found. */
export type ClaimResult =
  | { kind: 'claimed'; job: JobRecord; token: string }
  /** Completed, failed or dead: a repeat delivery, nothing to do. */
  | { kind: 'finished'; job: JobRecord }
  /** Another live worker holds it (a duplicate message). */
  | { kind: 'busy'; job: JobRecord }
  | { kind: 'missing' };

export interface ClaimOptions {
  leaseMs: number;
  /** Take the job even if another worker's lease is live (the broker says that worker died). */
  steal: boolean;
  /** Take the job over from this lease token (the run that scheduled this retry). */
  handover?: string;
  now?: Date;
}
