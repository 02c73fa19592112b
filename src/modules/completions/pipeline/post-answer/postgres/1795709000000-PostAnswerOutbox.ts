import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The post-answer outbox (src/modules/completions/pipeline/post-answer). */
export class PostAnswerOutbox1795709000000 implements MigrationInterface {
  name = 'PostAnswerOutbox1795709000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "post_answer_outbox" (
        "id" text NOT NULL,
        "org_id" text NOT NULL,
        "record" jsonb NOT NULL,
        "attempts" integer NOT NULL DEFAULT 0,
        "next_attempt_at" timestamptz NOT NULL,
        "created_at" timestamptz NOT NULL,
        "last_error" text,
        CONSTRAINT "post_answer_outbox_pkey" PRIMARY KEY ("id")
      )`);
    await q.query(
      `CREATE INDEX "post_answer_outbox_due_idx" ON "post_answer_outbox" ("next_attempt_at")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "post_answer_outbox"`);
  }
}
