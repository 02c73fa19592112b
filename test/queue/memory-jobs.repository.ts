import { randomUUID } from 'node:crypto';
import { AppException, ErrorCode } from '../../src/common/errors';
import {
  decodeTimeIdCursor,
  pageSize,
  timeIdKey,
  toPage,
  type Page,
  type PageRequest,
} from '../../src/common/pagination';
import type { JsonValue } from '../../src/modules/queue/core/job-envelope';
import {
  FINISHED_STATUSES,
  NOT_ENQUEUED,
  type ClaimOptions,
  type ClaimResult,
  type JobError,
  type JobRecord,
  type JobStatus,
  type NewJob,
} from '../../src/modules/queue/jobs/job.types';
import {
  duplicateIdempotencyKeyMessage,
  JobsRepository,
  type RecoverableJob,
} from '../../src/modules/queue/jobs/jobs.repository';

/**
 * An in-memory JobsRepository for unit tests (a fake collaborator). The same contract suite that
 * runs against the Postgres and Mongo adapters runs against it, so it cannot drift from them.
 */
export class MemoryJobsRepository extends JobsRepository {
  private readonly jobs = new Map<string, JobRecord>();
  /** Makes every call reject, to simulate the database being down. */
  down = false;

  async create(orgId: string, job: NewJob): Promise<JobRecord> {
    this.check();
    if (job.idempotency_key !== undefined && this.byKey(orgId, job.idempotency_key)) {
      throw new AppException(ErrorCode.CONFLICT, duplicateIdempotencyKeyMessage());
    }
    const now = new Date();
    const record: JobRecord = {
      id: job.id,
      org_id: orgId,
      type: job.type,
      status: 'queued',
      attempts: 0,
      max_attempts: job.max_attempts,
      payload: job.payload,
      result: null,
      error: null,
      last_error: null,
      idempotency_key: job.idempotency_key ?? null,
      request_hash: job.request_hash ?? null,
      lease_token: null,
      lease_until: null,
      run_after: null,
      created_at: now,
      updated_at: now,
      started_at: null,
      finished_at: null,
    };
    this.jobs.set(job.id, record);
    return clone(record);
  }

  async get(orgId: string, id: string): Promise<JobRecord | undefined> {
    this.check();
    const j = this.jobs.get(id);
    return j && j.org_id === orgId ? clone(j) : undefined;
  }

  async findByIdempotencyKey(orgId: string, key: string): Promise<JobRecord | undefined> {
    this.check();
    const j = this.byKey(orgId, key);
    return j ? clone(j) : undefined;
  }

  async claim(orgId: string, id: string, opts: ClaimOptions): Promise<ClaimResult> {
    const now = opts.now ?? new Date();
    const token = randomUUID();
    const ok = this.with(
      orgId,
      id,
      (j) =>
        j.status === 'queued' ||
        (j.status === 'running' &&
          (opts.steal ||
            j.lease_until === null ||
            j.lease_until < now ||
            (opts.handover !== undefined && j.lease_token === opts.handover))),
      (j) => {
        j.status = 'running';
        j.attempts += 1;
        j.lease_token = token;
        j.lease_until = new Date(now.getTime() + opts.leaseMs);
        j.started_at ??= now;
        j.run_after = null;
        j.updated_at = now;
      },
    );
    const job = this.jobs.get(id);
    if (!job || job.org_id !== orgId) return { kind: 'missing' };
    if (ok) return { kind: 'claimed', job: clone(job), token };
    return FINISHED_STATUSES.has(job.status)
      ? { kind: 'finished', job: clone(job) }
      : { kind: 'busy', job: clone(job) };
  }

  async saveOutcome(
    orgId: string,
    id: string,
    token: string,
    outcome: { result: JsonValue | null; error: JobError | null },
  ): Promise<boolean> {
    return this.held(orgId, id, token, (j) => {
      j.result = outcome.result;
      j.error = outcome.error;
    });
  }

  async finish(
    orgId: string,
    id: string,
    token: string,
    status: Extract<JobStatus, 'completed' | 'failed'>,
    outcome: { result?: JsonValue | null; error?: JobError | null },
  ): Promise<boolean> {
    return this.held(orgId, id, token, (j) => {
      j.status = status;
      if (outcome.result !== undefined && outcome.result !== null) j.result = outcome.result;
      if (outcome.error !== undefined && outcome.error !== null) j.error = outcome.error;
      j.lease_token = null;
      j.lease_until = null;
      j.finished_at = new Date();
    });
  }

  async release(
    orgId: string,
    id: string,
    token: string,
    lastError: JobError,
    runAfter: Date,
    opts: { refund?: boolean } = {},
  ): Promise<boolean> {
    return this.held(orgId, id, token, (j) => {
      if (opts.refund) j.attempts = Math.max(0, j.attempts - 1);
      j.status = 'queued';
      j.last_error = lastError;
      j.run_after = runAfter;
      j.lease_token = null;
      j.lease_until = null;
    });
  }

  async markDead(
    orgId: string,
    id: string,
    token: string | undefined,
    error: JobError,
  ): Promise<boolean> {
    return this.with(
      orgId,
      id,
      (j) =>
        token === undefined
          ? j.status === 'queued' || j.status === 'running'
          : j.status === 'running' && j.lease_token === token,
      (j) => {
        j.status = 'dead';
        j.error = error;
        j.lease_token = null;
        j.lease_until = null;
        j.finished_at = new Date();
      },
    );
  }

  async requeueDead(orgId: string, id: string): Promise<boolean> {
    return this.with(
      orgId,
      id,
      (j) => j.status === 'dead',
      (j) => {
        j.status = 'queued';
        j.attempts = 0;
        j.error = null;
        j.run_after = null;
        j.finished_at = null;
      },
    );
  }

  async failUnpublished(orgId: string, id: string, message: string): Promise<boolean> {
    return this.with(
      orgId,
      id,
      (j) => j.attempts === 0 && j.status === 'queued',
      (j) => {
        j.status = 'failed';
        j.error = { code: NOT_ENQUEUED, message };
        j.finished_at = new Date();
      },
    );
  }

  async reopenUnpublished(orgId: string, id: string): Promise<boolean> {
    return this.with(
      orgId,
      id,
      (j) => j.attempts === 0 && j.status === 'failed' && j.error?.code === NOT_ENQUEUED,
      (j) => {
        j.status = 'queued';
        j.error = null;
        j.finished_at = null;
      },
    );
  }

  async listDead(
    orgId: string,
    type: string | undefined,
    page: PageRequest,
  ): Promise<Page<JobRecord>> {
    this.check();
    const size = pageSize(page.limit);
    const after = page.cursor ? decodeTimeIdCursor(page.cursor) : undefined;
    const rows = [...this.jobs.values()]
      .filter((j) => j.org_id === orgId && j.status === 'dead')
      .filter((j) => type === undefined || j.type === type)
      .sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || (a.id < b.id ? -1 : 1))
      .filter(
        (j) =>
          !after ||
          j.created_at > after.createdAt ||
          (j.created_at.getTime() === after.createdAt.getTime() && j.id > after.id),
      )
      .slice(0, size + 1)
      .map(clone);
    return toPage(rows, size, timeIdKey);
  }

  async scanRecoverable(
    types: string[],
    afterId: string | undefined,
    limit: number,
  ): Promise<RecoverableJob[]> {
    this.check();
    return [...this.jobs.values()]
      .filter((j) => (j.status === 'queued' || j.status === 'running') && types.includes(j.type))
      .filter((j) => afterId === undefined || j.id > afterId)
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .slice(0, limit)
      .map((j) => ({
        id: j.id,
        org_id: j.org_id,
        type: j.type,
        payload: j.payload,
        status: j.status,
        run_after: j.run_after,
      }));
  }

  async scanStranded(
    types: string[],
    at: { now: Date; queuedBefore: Date },
    limit: number,
  ): Promise<RecoverableJob[]> {
    this.check();
    return [...this.jobs.values()]
      .filter((j) => types.includes(j.type))
      .filter(
        (j) =>
          (j.status === 'running' && j.lease_until !== null && j.lease_until < at.now) ||
          (j.status === 'queued' && (j.run_after ?? j.updated_at) < at.queuedBefore),
      )
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .slice(0, limit)
      .map((j) => ({
        id: j.id,
        org_id: j.org_id,
        type: j.type,
        payload: j.payload,
        status: j.status,
        run_after: j.run_after,
      }));
  }

  private byKey(orgId: string, key: string): JobRecord | undefined {
    return [...this.jobs.values()].find((j) => j.org_id === orgId && j.idempotency_key === key);
  }

  private held(orgId: string, id: string, token: string, apply: (j: JobRecord) => void): boolean {
    return this.with(orgId, id, (j) => j.status === 'running' && j.lease_token === token, apply);
  }

  private with(
    orgId: string,
    id: string,
    when: (j: JobRecord) => boolean,
    apply: (j: JobRecord) => void,
  ): boolean {
    this.check();
    const j = this.jobs.get(id);
    if (!j || j.org_id !== orgId || !when(j)) return false;
    apply(j);
    j.updated_at = new Date();
    return true;
  }

  /** Test hook: pretend the job was last written at `at`. */
  touch(id: string, at: Date): void {
    const j = this.jobs.get(id);
    if (j) j.updated_at = at;
  }

  private check(): void {
    if (this.down) throw new Error('memory job store is down');
  }
}

/** A copy, as a database would return (JSON columns copied; Dates of this realm kept as is). */
function clone(j: JobRecord): JobRecord {
  const copy = <T>(v: T): T => (v === null ? v : (JSON.parse(JSON.stringify(v)) as T));
  return {
    ...j,
    payload: copy(j.payload),
    result: copy(j.result),
    error: copy(j.error),
    last_error: copy(j.last_error),
  };
}
