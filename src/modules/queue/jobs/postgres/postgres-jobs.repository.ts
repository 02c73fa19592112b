import { randomUUID } from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import {
  decodeTimeIdCursor,
  pageSize,
  timeIdKey,
  toPage,
  type Page,
  type PageRequest,
} from '../../../../common/pagination';
import { conflictOnDuplicate } from '../../../../infra/document-store/unique-violation';
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
import { JobEntity } from './job.entity';
import { storableJson } from '../../../../infra/document-store/storable';

/** Entity instance -> plain record (its JSON columns hold what was stored as JsonValue). */
const asRecord = (row: JobEntity): JobRecord => ({ ...row }) as JobRecord;

/** JSON text for a jsonb column; answers are model output, whose NUL jsonb refuses (U+FFFD). */
const json = (v: unknown): string | null =>
  v === null || v === undefined ? null : storableJson(v);

/**
 * Jobs in Postgres. State changes are single conditional UPDATEs (`... WHERE status = ... AND
 * lease_token = ... RETURNING *`), so two workers can never both claim a job, and a worker whose
 * lease was taken over writes nothing.
 */
export class PostgresJobsRepository implements JobsRepository {
  private readonly repo: Repository<JobEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.repo = dataSource.getRepository(JobEntity);
  }

  async create(orgId: string, job: NewJob): Promise<JobRecord> {
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
    // TypeORM JSON-encodes jsonb columns, so a sealed (string) payload is stored as a JSON string.
    await conflictOnDuplicate(
      () => this.repo.insert(record as unknown as QueryDeepPartialEntity<JobEntity>),
      duplicateIdempotencyKeyMessage(),
    );
    return record;
  }

  async get(orgId: string, id: string): Promise<JobRecord | undefined> {
    const row = await this.repo.findOneBy({ org_id: orgId, id });
    return row ? asRecord(row) : undefined;
  }

  async findByIdempotencyKey(orgId: string, key: string): Promise<JobRecord | undefined> {
    const row = await this.repo.findOneBy({ org_id: orgId, idempotency_key: key });
    return row ? asRecord(row) : undefined;
  }

  async claim(orgId: string, id: string, opts: ClaimOptions): Promise<ClaimResult> {
    const now = opts.now ?? new Date();
    const token = randomUUID();
    const rows = await this.update(
      `UPDATE "jobs" SET "status" = 'running', "attempts" = "attempts" + 1, "lease_token" = $3,
         "lease_until" = $4, "started_at" = COALESCE("started_at", $5), "updated_at" = $5,
         "run_after" = NULL
       WHERE "org_id" = $1 AND "id" = $2 AND ("status" = 'queued' OR ("status" = 'running'
         AND ($6::boolean OR "lease_until" IS NULL OR "lease_until" < $5 OR "lease_token" = $7)))
       RETURNING *`,
      [
        orgId,
        id,
        token,
        new Date(now.getTime() + opts.leaseMs),
        now,
        opts.steal,
        opts.handover ?? null,
      ],
    );
    if (rows[0]) return { kind: 'claimed', job: rows[0], token };
    const job = await this.get(orgId, id);
    if (!job) return { kind: 'missing' };
    return FINISHED_STATUSES.has(job.status) ? { kind: 'finished', job } : { kind: 'busy', job };
  }

  async saveOutcome(
    orgId: string,
    id: string,
    token: string,
    outcome: { result: JsonValue | null; error: JobError | null },
  ): Promise<boolean> {
    const rows = await this.update(
      `UPDATE "jobs" SET "result" = $4::jsonb, "error" = $5::jsonb, "updated_at" = $6
       WHERE "org_id" = $1 AND "id" = $2 AND "lease_token" = $3 AND "status" = 'running'
       RETURNING "id"`,
      [orgId, id, token, json(outcome.result), json(outcome.error), new Date()],
    );
    return rows.length === 1;
  }

  async finish(
    orgId: string,
    id: string,
    token: string,
    status: Extract<JobStatus, 'completed' | 'failed'>,
    outcome: { result?: JsonValue | null; error?: JobError | null },
  ): Promise<boolean> {
    const now = new Date();
    const rows = await this.update(
      `UPDATE "jobs" SET "status" = $4, "result" = COALESCE($5::jsonb, "result"),
         "error" = COALESCE($6::jsonb, "error"), "lease_token" = NULL, "lease_until" = NULL,
         "finished_at" = $7, "updated_at" = $7
       WHERE "org_id" = $1 AND "id" = $2 AND "lease_token" = $3 AND "status" = 'running'
       RETURNING "id"`,
      [orgId, id, token, status, json(outcome.result), json(outcome.error), now],
    );
    return rows.length === 1;
  }

  async release(
    orgId: string,
    id: string,
    token: string,
    lastError: JobError,
    runAfter: Date,
    opts: { refund?: boolean } = {},
  ): Promise<boolean> {
    const rows = await this.update(
      `UPDATE "jobs" SET "status" = 'queued', "last_error" = $4::jsonb, "run_after" = $5,
         "lease_token" = NULL, "lease_until" = NULL, "updated_at" = $6,
         "attempts" = GREATEST(0, "attempts" - $7::int)
       WHERE "org_id" = $1 AND "id" = $2 AND "lease_token" = $3 AND "status" = 'running'
       RETURNING "id"`,
      [orgId, id, token, json(lastError), runAfter, new Date(), opts.refund ? 1 : 0],
    );
    return rows.length === 1;
  }

  async markDead(
    orgId: string,
    id: string,
    token: string | undefined,
    error: JobError,
  ): Promise<boolean> {
    const now = new Date();
    const guard =
      token === undefined
        ? `"status" IN ('queued', 'running')`
        : `"lease_token" = $5 AND "status" = 'running'`;
    const params: unknown[] = [orgId, id, json(error), now];
    if (token !== undefined) params.push(token);
    const rows = await this.update(
      `UPDATE "jobs" SET "status" = 'dead', "error" = $3::jsonb, "lease_token" = NULL,
         "lease_until" = NULL, "finished_at" = $4, "updated_at" = $4
       WHERE "org_id" = $1 AND "id" = $2 AND ${guard}
       RETURNING "id"`,
      params,
    );
    return rows.length === 1;
  }

  async requeueDead(orgId: string, id: string): Promise<boolean> {
    const rows = await this.update(
      `UPDATE "jobs" SET "status" = 'queued', "attempts" = 0, "error" = NULL, "run_after" = NULL,
         "finished_at" = NULL, "updated_at" = $3
       WHERE "org_id" = $1 AND "id" = $2 AND "status" = 'dead'
       RETURNING "id"`,
      [orgId, id, new Date()],
    );
    return rows.length === 1;
  }

  async failUnpublished(orgId: string, id: string, message: string): Promise<boolean> {
    const now = new Date();
    const rows = await this.update(
      `UPDATE "jobs" SET "status" = 'failed', "error" = $3::jsonb, "finished_at" = $4, "updated_at" = $4
       WHERE "org_id" = $1 AND "id" = $2 AND "attempts" = 0 AND "status" = 'queued'
       RETURNING "id"`,
      [orgId, id, json({ code: NOT_ENQUEUED, message }), now],
    );
    return rows.length === 1;
  }

  async reopenUnpublished(orgId: string, id: string): Promise<boolean> {
    const rows = await this.update(
      `UPDATE "jobs" SET "status" = 'queued', "error" = NULL, "finished_at" = NULL, "updated_at" = $4
       WHERE "org_id" = $1 AND "id" = $2 AND "attempts" = 0 AND "status" = 'failed'
         AND "error"->>'code' = $3
       RETURNING "id"`,
      [orgId, id, NOT_ENQUEUED, new Date()],
    );
    return rows.length === 1;
  }

  async listDead(
    orgId: string,
    type: string | undefined,
    page: PageRequest,
  ): Promise<Page<JobRecord>> {
    const size = pageSize(page.limit);
    const qb = this.repo
      .createQueryBuilder('j')
      .where('j.org_id = :orgId', { orgId })
      .andWhere(`j.status = 'dead'`)
      .orderBy('j.created_at', 'ASC')
      .addOrderBy('j.id', 'ASC')
      .limit(size + 1);
    if (type !== undefined) qb.andWhere('j.type = :type', { type });
    if (page.cursor) {
      const after = decodeTimeIdCursor(page.cursor);
      qb.andWhere('(j.created_at, j.id) > (:at, :id)', { at: after.createdAt, id: after.id });
    }
    const rows = await qb.getMany();
    return toPage(rows.map(asRecord), size, timeIdKey);
  }

  async scanRecoverable(
    types: string[],
    afterId: string | undefined,
    limit: number,
  ): Promise<RecoverableJob[]> {
    if (types.length === 0) return [];
    const qb = this.repo
      .createQueryBuilder('j')
      .select(['j.id', 'j.org_id', 'j.type', 'j.payload', 'j.status', 'j.run_after'])
      .where(`j.status IN ('queued', 'running')`)
      .andWhere('j.type IN (:...types)', { types })
      .orderBy('j.id', 'ASC')
      .limit(limit);
    if (afterId !== undefined) qb.andWhere('j.id > :afterId', { afterId });
    const rows = await qb.getMany();
    return rows.map((r) => ({
      id: r.id,
      org_id: r.org_id,
      type: r.type,
      payload: r.payload as JsonValue,
      status: r.status,
      run_after: r.run_after,
    }));
  }

  async scanStranded(
    types: string[],
    at: { now: Date; queuedBefore: Date },
    limit: number,
  ): Promise<RecoverableJob[]> {
    if (types.length === 0) return [];
    const rows = await this.repo
      .createQueryBuilder('j')
      .select(['j.id', 'j.org_id', 'j.type', 'j.payload', 'j.status', 'j.run_after'])
      .where('j.type IN (:...types)', { types })
      .andWhere(
        `((j.status = 'running' AND j.lease_until < :now)
          OR (j.status = 'queued' AND COALESCE(j.run_after, j.updated_at) < :queuedBefore))`,
        at,
      )
      .orderBy('j.id', 'ASC')
      .limit(limit)
      .getMany();
    return rows.map((r) => ({
      id: r.id,
      org_id: r.org_id,
      type: r.type,
      payload: r.payload as JsonValue,
      status: r.status,
      run_after: r.run_after,
    }));
  }

  /** Runs an UPDATE ... RETURNING and gives back the rows (TypeORM returns [rows, count]). */
  private async update(sql: string, params: unknown[]): Promise<JobRecord[]> {
    const res: unknown = await this.dataSource.query(sql, params);
    const rows = Array.isArray(res) && Array.isArray(res[0]) ? (res[0] as unknown[]) : [];
    return rows as JobRecord[];
  }
}
