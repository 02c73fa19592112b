import type { JsonValue } from '../core/job-envelope';
import type { Page, PageRequest } from '../../../common/pagination';
import type {
  ClaimOptions,
  ClaimResult,
  JobError,
  JobRecord,
  JobStatus,
  NewJob,
} from './job.types';

/** A job that must be handed to the transport again (in-process recovery after a restart). */
export type RecoverableJob = Pick<
  JobRecord,
  'id' | 'org_id' | 'type' | 'payload' | 'status' | 'run_after'
>;

/**
 * Port (and DI token) of the job state store; bound to the MongoDB or Postgres adapter by
 * `provideRepository`. Every method is org-scoped except `scanRecoverable`, a maintenance read
 * used only at startup by the in-process queue.
 *
 * Worker writes (`saveOutcome`, `finish`, `release`, `markDead`) carry the lease token from
 * `claim` and do nothing when another worker has taken the job over since: a zombie worker
 * cannot overwrite the state of a newer run.
 */
export abstract class JobsRepository {
  /** Inserts a queued job; rejects with a 409 AppException when the idempotency key is taken. */
  abstract create(orgId: string, job: NewJob): Promise<JobRecord>;
  abstract get(orgId: string, id: string): Promise<JobRecord | undefined>;
  abstract findByIdempotencyKey(orgId: string, key: string): Promise<JobRecord | undefined>;

  /**
   * Atomically moves a job to `running` and counts the run, if it is queued, or running with an
   * expired lease (or `steal`). Otherwise reports why not.
   */
  abstract claim(orgId: string, id: string, opts: ClaimOptions): Promise<ClaimResult>;
  /** Stores the result (or final error) while the job is still running, before side effects. */
  abstract saveOutcome(
    orgId: string,
    id: string,
    token: string,
    outcome: { result: JsonValue | null; error: JobError | null },
  ): Promise<boolean>;
  abstract finish(
    orgId: string,
    id: string,
    token: string,
    status: Extract<JobStatus, 'completed' | 'failed'>,
    outcome: { result?: JsonValue | null; error?: JobError | null },
  ): Promise<boolean>;
  /**
   * Back to `queued` after a failed run, with the error and the time of the next try. With
   * `refund`, the run is not counted (it was refused before doing anything).
   */
  abstract release(
    orgId: string,
    id: string,
    token: string,
    lastError: JobError,
    runAfter: Date,
    opts?: { refund?: boolean },
  ): Promise<boolean>;
  /** To `dead`; without a token it applies whatever state the job is in (except finished). */
  abstract markDead(
    orgId: string,
    id: string,
    token: string | undefined,
    error: JobError,
  ): Promise<boolean>;
  /** A dead job back to `queued` with a fresh attempt budget; false when it is not dead. */
  abstract requeueDead(orgId: string, id: string): Promise<boolean>;
  /**
   * A job that never ran and whose message never reached the broker (the client was told 503):
   * `failed` with the NOT_ENQUEUED error. Does nothing once a run has started.
   */
  abstract failUnpublished(orgId: string, id: string, message: string): Promise<boolean>;
  /**
   * Such a job back to `queued`, so a retried request with the same idempotency key can
   * publish it again.
   */
  abstract reopenUnpublished(orgId: string, id: string): Promise<boolean>;

  /** Dead jobs of the org, oldest first, optionally of one type. */
  abstract listDead(
    orgId: string,
    type: string | undefined,
    page: PageRequest,
  ): Promise<Page<JobRecord>>;

  /**
   * Jobs of these types in any org whose message is presumably lost (the sweeper republishes
   * them): `running` with a lease that ended before `now` (the worker died and nothing
   * redelivered it), or `queued` with nothing due since `queuedBefore` (its next run, or its
   * creation, is that long past: the publish never happened or the message went missing).
   */
  abstract scanStranded(
    types: string[],
    at: { now: Date; queuedBefore: Date },
    limit: number,
  ): Promise<RecoverableJob[]>;

  /** Queued or running jobs of these types in any org, by id after `afterId` (startup recovery). */
  abstract scanRecoverable(
    types: string[],
    afterId: string | undefined,
    limit: number,
  ): Promise<RecoverableJob[]>;
}

export const duplicateIdempotencyKeyMessage = (): string =>
  'A job with this Idempotency-Key already exists';
