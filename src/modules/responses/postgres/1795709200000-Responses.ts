import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Responses API's state (src/modules/responses): stored Responses and conversation
 * records. Both are keyed (org_id, id), the only lookup they get; a conversation's items are
 * the `conversation_messages` of the thread with its id. Written to match the entities exactly
 * (migrations.spec.ts checks).
 */
export class Responses1795709200000 implements MigrationInterface {
  name = 'Responses1795709200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "responses" (
      "org_id" text NOT NULL,
      "id" text NOT NULL,
      "status" text NOT NULL,
      "body" jsonb NOT NULL,
      "input_items" jsonb NOT NULL,
      "context" jsonb NOT NULL,
      "previous_response_id" text,
      "conversation_id" text,
      "background" boolean NOT NULL,
      "request" jsonb,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "responses_status_ck"
        CHECK ("status" IN ('queued', 'in_progress', 'completed', 'failed', 'cancelled', 'incomplete')),
      CONSTRAINT "responses_pkey" PRIMARY KEY ("org_id", "id"))`);

    await q.query(`CREATE TABLE "conversation_records" (
      "org_id" text NOT NULL,
      "id" text NOT NULL,
      "metadata" jsonb NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "conversation_records_pkey" PRIMARY KEY ("org_id", "id"))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "conversation_records"`);
    await q.query(`DROP TABLE "responses"`);
  }
}
