import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Queue job state (src/modules/queue): one row per job, claimed with a conditional UPDATE.
 * Idempotency keys are unique per org; NULL keys never clash (Postgres treats NULLs as distinct).
 */
export class Jobs1795708600000 implements MigrationInterface {
  name = 'Jobs1795708600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "jobs" (
        "id" text NOT NULL,
        "org_id" text NOT NULL,
        "type" text NOT NULL,
        "status" text NOT NULL,
        "attempts" integer NOT NULL,
        "max_attempts" integer NOT NULL,
        "payload" jsonb NOT NULL,
        "result" jsonb,
        "error" jsonb,
        "last_error" jsonb,
        "idempotency_key" text,
        "request_hash" text,
        "lease_token" text,
        "lease_until" timestamptz,
        "run_after" timestamptz,
        "created_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL,
        "started_at" timestamptz,
        "finished_at" timestamptz,
        CONSTRAINT "PK_jobs" PRIMARY KEY ("id"),
        CONSTRAINT "jobs_status_ck" CHECK ("status" IN ('queued', 'running', 'completed', 'failed', 'dead'))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "jobs_org_idempotency_uq" ON "jobs" ("org_id", "idempotency_key")`,
    );
    await q.query(
      `CREATE INDEX "jobs_org_status_created_idx" ON "jobs" ("org_id", "status", "created_at", "id")`,
    );
    await q.query(`CREATE INDEX "jobs_status_id_idx" ON "jobs" ("status", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "jobs"`);
  }
}
