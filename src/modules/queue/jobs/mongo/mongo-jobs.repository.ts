import { randomUUID } from 'node:crypto';
import type { Connection, FilterQuery, Model, UpdateQuery } from 'mongoose';
import {
  decodeTimeIdCursor,
  pageSize,
  timeIdKey,
  toPage,
  type Page,
  type PageRequest,
} from '../../../../common/pagination';
import { modelOn } from '../../../../infra/document-store/mongo-model';
import {
  conflictOnDuplicate,
  isUniqueViolation,
} from '../../../../infra/document-store/unique-violation';
import type { JsonValue } from '../../core/job-envelope';
import type {
  ClaimOptions,
  ClaimResult,
  JobError,
  JobRecord,
  JobStatus,
  NewJob,
} from '../job.types';
import { FINISHED_STATUSES, NOT_ENQUEUED } from '../job.types';
import {
  duplicateIdempotencyKeyMessage,
  type JobsRepository,
  type RecoverableJob,
} from '../jobs.repository';
import {
  JOB_CLAIM_MODEL,
  JOB_MODEL,
  JobClaimSchema,
  JobSchema,
  type JobClaimDoc,
  type JobDoc,
} from './job.schema';
import { storableStrings } from '../../../../infra/document-store/storable';

function fromDoc(doc: JobDoc): JobRecord {
  const { _id, idem_key: _idem, runs: _runs, ...rest } = doc;
  return { id: _id, ...rest } as JobRecord;
}

/**
 * Jobs in MongoDB (or FerretDB). State changes are single `findOneAndUpdate`s whose filter holds
 * the expected status and lease token, the document-store equivalent of a conditional UPDATE.
 */
export class MongoJobsRepository implements JobsRepository {
  private readonly model: Model<JobDoc>;
  private readonly claims: Model<JobClaimDoc>;

  constructor(connection: Connection) {
    this.model = modelOn(connection, JOB_MODEL, JobSchema);
    this.claims = modelOn(connection, JOB_CLAIM_MODEL, JobClaimSchema);
  }

  async create(orgId: string, job: NewJob): Promise<JobRecord> {
    // The unique index must exist before the first write relies on it.
    await this.model.init();
    const now = new Date();
    const doc: JobDoc = {
      _id: job.id,
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
    if (job.idempotency_key !== undefined) doc.idem_key = `${orgId}:${job.idempotency_key}`;
    await conflictOnDuplicate(() => this.model.create(doc), duplicateIdempotencyKeyMessage());
    return fromDoc(doc);
  }

  async get(orgId: string, id: string): Promise<JobRecord | undefined> {
    const doc = await this.model.findOne({ _id: id, org_id: orgId }).lean<JobDoc>();
    return doc ? fromDoc(doc) : undefined;
  }

  async findByIdempotencyKey(orgId: string, key: string): Promise<JobRecord | undefined> {
    const doc = await this.model
      .findOne({ idem_key: `${orgId}:${key}`, org_id: orgId })
      .lean<JobDoc>();
    return doc ? fromDoc(doc) : undefined;
  }

  /**
   * Claims in two steps, because FerretDB (our MongoDB stand-in) does not apply concurrent
   * conditional updates atomically — several `findOneAndUpdate`s with one filter can all
   * "match". A unique insert is atomic there too, so each run of a job first takes a ticket
   * `<job id>#<run number>` in `job_claims`: of concurrent claimers only one gets it. The winner
   * then moves the job to `running`, conditioned on the run count it read, which also turns away
   * a claimer that read the job before an earlier run started.
   */
  async claim(orgId: string, id: string, opts: ClaimOptions): Promise<ClaimResult> {
    const now = opts.now ?? new Date();
    const doc = await this.model.findOne({ _id: id, org_id: orgId }).lean<JobDoc>();
    if (!doc) return { kind: 'missing' };
    const job = fromDoc(doc);
    if (FINISHED_STATUSES.has(job.status)) return { kind: 'finished', job };
    const takeable =
      doc.status === 'queued' ||
      (doc.status === 'running' &&
        (opts.steal ||
          doc.lease_until === null ||
          doc.lease_until < now ||
          (opts.handover !== undefined && doc.lease_token === opts.handover)));
    if (!takeable) return { kind: 'busy', job };

    const runs = doc.runs ?? 0;
    try {
      await this.claims.create({ _id: `${id}#${runs + 1}`, job_id: id, org_id: orgId, at: now });
    } catch (e) {
      if (isUniqueViolation(e)) return { kind: 'busy', job };
      throw e;
    }
    const token = randomUUID();
    const claimed = await this.transition(
      {
        _id: id,
        org_id: orgId,
        status: doc.status,
        runs: doc.runs === undefined ? { $exists: false } : runs,
      },
      {
        $set: {
          status: 'running',
          runs: runs + 1,
          lease_token: token,
          lease_until: new Date(now.getTime() + opts.leaseMs),
          run_after: null,
          started_at: doc.started_at ?? now,
          updated_at: now,
        },
        $inc: { attempts: 1 },
      },
    );
    if (claimed) return { kind: 'claimed', job: fromDoc(claimed), token };
    const again = await this.get(orgId, id);
    if (!again) return { kind: 'missing' };
    return FINISHED_STATUSES.has(again.status)
      ? { kind: 'finished', job: again }
      : { kind: 'busy', job: again };
  }

  async saveOutcome(
    orgId: string,
    id: string,
    token: string,
    outcome: { result: JsonValue | null; error: JobError | null },
  ): Promise<boolean> {
    return this.held(orgId, id, token, {
      // Answers are model output: NUL, which FerretDB (on PostgreSQL) refuses, becomes U+FFFD.
      $set: {
        result: storableStrings(outcome.result),
        error: outcome.error,
        updated_at: new Date(),
      },
    });
  }

  async finish(
    orgId: string,
    id: string,
    token: string,
    status: Extract<JobStatus, 'completed' | 'failed'>,
    outcome: { result?: JsonValue | null; error?: JobError | null },
  ): Promise<boolean> {
    const now = new Date();
    const set: Partial<JobDoc> = {
      status,
      lease_token: null,
      lease_until: null,
      finished_at: now,
      updated_at: now,
    };
    if (outcome.result !== undefined && outcome.result !== null) {
      set.result = storableStrings(outcome.result);
    }
    if (outcome.error !== undefined && outcome.error !== null) set.error = outcome.error;
    return this.held(orgId, id, token, { $set: set });
  }

  async release(
    orgId: string,
    id: string,
    token: string,
    lastError: JobError,
    runAfter: Date,
    opts: { refund?: boolean } = {},
  ): Promise<boolean> {
    return this.held(orgId, id, token, {
      $set: {
        status: 'queued',
        last_error: lastError,
        run_after: runAfter,
        lease_token: null,
        lease_until: null,
        updated_at: new Date(),
      },
      ...(opts.refund ? { $inc: { attempts: -1 } } : {}),
    });
  }

  async markDead(
    orgId: string,
    id: string,
    token: string | undefined,
    error: JobError,
  ): Promise<boolean> {
    const now = new Date();
    const filter: FilterQuery<JobDoc> =
      token === undefined
        ? { _id: id, org_id: orgId, status: { $in: ['queued', 'running'] } }
        : { _id: id, org_id: orgId, status: 'running', lease_token: token };
    const doc = await this.transition(filter, {
      $set: {
        status: 'dead',
        error,
        lease_token: null,
        lease_until: null,
        finished_at: now,
        updated_at: now,
      },
    });
    return doc !== null;
  }

  async requeueDead(orgId: string, id: string): Promise<boolean> {
    const doc = await this.transition(
      { _id: id, org_id: orgId, status: 'dead' },
      {
        $set: {
          status: 'queued',
          attempts: 0,
          error: null,
          run_after: null,
          finished_at: null,
          updated_at: new Date(),
        },
      },
    );
    return doc !== null;
  }

  async failUnpublished(orgId: string, id: string, message: string): Promise<boolean> {
    const now = new Date();
    const doc = await this.transition(
      { _id: id, org_id: orgId, attempts: 0, status: 'queued' },
      {
        $set: {
          status: 'failed',
          error: { code: NOT_ENQUEUED, message },
          finished_at: now,
          updated_at: now,
        },
      },
    );
    return doc !== null;
  }

  async reopenUnpublished(orgId: string, id: string): Promise<boolean> {
    const doc = await this.transition(
      { _id: id, org_id: orgId, attempts: 0, status: 'failed', 'error.code': NOT_ENQUEUED },
      { $set: { status: 'queued', error: null, finished_at: null, updated_at: new Date() } },
    );
    return doc !== null;
  }

  async listDead(
    orgId: string,
    type: string | undefined,
    page: PageRequest,
  ): Promise<Page<JobRecord>> {
    const size = pageSize(page.limit);
    const filter: FilterQuery<JobDoc> = { org_id: orgId, status: 'dead' };
    if (type !== undefined) filter.type = type;
    if (page.cursor) {
      const after = decodeTimeIdCursor(page.cursor);
      filter.$or = [
        { created_at: { $gt: after.createdAt } },
        { created_at: after.createdAt, _id: { $gt: after.id } },
      ];
    }
    const docs = await this.model
      .find(filter)
      .sort({ created_at: 1, _id: 1 })
      .limit(size + 1)
      .lean<JobDoc[]>();
    return toPage(docs.map(fromDoc), size, timeIdKey);
  }

  async scanRecoverable(
    types: string[],
    afterId: string | undefined,
    limit: number,
  ): Promise<RecoverableJob[]> {
    if (types.length === 0) return [];
    const filter: FilterQuery<JobDoc> = {
      status: { $in: ['queued', 'running'] },
      type: { $in: types },
    };
    if (afterId !== undefined) filter._id = { $gt: afterId };
    const docs = await this.model
      .find(filter, { _id: 1, org_id: 1, type: 1, payload: 1, status: 1, run_after: 1 })
      .sort({ _id: 1 })
      .limit(limit)
      .lean<Array<Pick<JobDoc, '_id' | 'org_id' | 'type' | 'payload' | 'status' | 'run_after'>>>();
    return docs.map((d) => ({
      id: d._id,
      org_id: d.org_id,
      type: d.type,
      payload: d.payload as JsonValue,
      status: d.status,
      run_after: d.run_after ?? null,
    }));
  }

  async scanStranded(
    types: string[],
    at: { now: Date; queuedBefore: Date },
    limit: number,
  ): Promise<RecoverableJob[]> {
    if (types.length === 0) return [];
    const docs = await this.model
      .find(
        {
          type: { $in: types },
          $or: [
            { status: 'running', lease_until: { $lt: at.now } },
            { status: 'queued', run_after: { $lt: at.queuedBefore } },
            { status: 'queued', run_after: null, updated_at: { $lt: at.queuedBefore } },
          ],
        },
        { _id: 1, org_id: 1, type: 1, payload: 1, status: 1, run_after: 1 },
      )
      .sort({ _id: 1 })
      .limit(limit)
      .lean<Array<Pick<JobDoc, '_id' | 'org_id' | 'type' | 'payload' | 'status' | 'run_after'>>>();
    return docs.map((d) => ({
      id: d._id,
      org_id: d.org_id,
      type: d.type,
      payload: d.payload as JsonValue,
      status: d.status,
      run_after: d.run_after ?? null,
    }));
  }

  /** A write that applies only while this worker's lease holds. */
  private async held(
    orgId: string,
    id: string,
    token: string,
    update: UpdateQuery<JobDoc>,
  ): Promise<boolean> {
    const res = await this.model.updateOne(
      { _id: id, org_id: orgId, status: 'running', lease_token: token },
      update,
    );
    return res.modifiedCount === 1 || res.matchedCount === 1;
  }

  private transition(
    filter: FilterQuery<JobDoc>,
    update: UpdateQuery<JobDoc>,
  ): Promise<JobDoc | null> {
    return this.model.findOneAndUpdate(filter, update, { new: true }).lean<JobDoc>().exec();
  }
}
