import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The document store on Postgres (used when no MONGODB_URI is set, and by embedded PGlite):
 * agents, tools, provider keys, conversation messages and call logs, with an index for every
 * query the repositories make. Written to match the entities exactly; the migration check
 * (migrations.spec.ts) fails if they drift apart.
 */
export class DocumentStore1795708300000 implements MigrationInterface {
  name = 'DocumentStore1795708300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "agents" (
      "id" text NOT NULL,
      "org_id" text NOT NULL,
      "name" text NOT NULL,
      "service" text NOT NULL,
      "model" text NOT NULL,
      "prompt" text NOT NULL,
      "configuration" jsonb NOT NULL,
      "tool_ids" jsonb NOT NULL,
      "fallbacks" jsonb NOT NULL,
      "cache_ttl" integer,
      "rate_limit" jsonb,
      "max_tool_iterations" integer NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "agents_pkey" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "agents_org_name_uq" ON "agents" ("org_id", "name")`);
    await q.query(
      `CREATE INDEX "agents_org_created_idx" ON "agents" ("org_id", "created_at", "id")`,
    );

    await q.query(`CREATE TABLE "tools" (
      "id" text NOT NULL,
      "org_id" text NOT NULL,
      "name" text NOT NULL,
      "description" text NOT NULL,
      "parameters" jsonb NOT NULL,
      "url" text NOT NULL,
      "method" text NOT NULL,
      "headers_sealed" text,
      "header_names" jsonb NOT NULL,
      "timeout_ms" integer NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "tools_pkey" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "tools_org_name_uq" ON "tools" ("org_id", "name")`);
    await q.query(`CREATE INDEX "tools_org_created_idx" ON "tools" ("org_id", "created_at", "id")`);

    await q.query(`CREATE TABLE "provider_keys" (
      "id" text NOT NULL,
      "org_id" text NOT NULL,
      "service" text NOT NULL,
      "key_sealed" text NOT NULL,
      "masked_key" text NOT NULL,
      "base_url" text,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "provider_keys_pkey" PRIMARY KEY ("id"))`);
    await q.query(
      `CREATE UNIQUE INDEX "provider_keys_org_service_uq" ON "provider_keys" ("org_id", "service")`,
    );
    await q.query(
      `CREATE INDEX "provider_keys_org_created_idx" ON "provider_keys" ("org_id", "created_at", "id")`,
    );

    await q.query(`CREATE TABLE "conversation_messages" (
      "org_id" text NOT NULL,
      "exchange_id" text NOT NULL,
      "position" integer NOT NULL,
      "thread_id" text NOT NULL,
      "sub_thread_id" text,
      "role" text NOT NULL,
      "content" jsonb,
      "tool_calls" jsonb,
      "tool_call_id" text,
      "name" text,
      "model" text,
      "service" text,
      "usage" jsonb,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "conversation_messages_role_ck"
        CHECK ("role" IN ('system', 'developer', 'user', 'assistant', 'tool')),
      CONSTRAINT "conversation_messages_pkey" PRIMARY KEY ("org_id", "exchange_id", "position"))`);
    await q.query(
      `CREATE INDEX "conversation_messages_thread_idx" ON "conversation_messages" ("org_id", "thread_id", "sub_thread_id", "created_at", "exchange_id", "position")`,
    );

    await q.query(`CREATE TABLE "call_logs" (
      "id" text NOT NULL,
      "org_id" text NOT NULL,
      "user_id" text,
      "agent_id" text,
      "thread_id" text,
      "request_id" text,
      "service" text NOT NULL,
      "model" text NOT NULL,
      "request" jsonb NOT NULL,
      "outcome" text NOT NULL,
      "cached" boolean NOT NULL,
      "latency_ms" integer NOT NULL,
      "input_tokens" integer NOT NULL,
      "output_tokens" integer NOT NULL,
      "total_tokens" integer NOT NULL,
      "cached_tokens" integer NOT NULL,
      "cost_usd" double precision,
      "error_code" text,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "call_logs_outcome_ck" CHECK ("outcome" IN ('success', 'error')),
      CONSTRAINT "call_logs_pkey" PRIMARY KEY ("id"))`);
    await q.query(
      `CREATE INDEX "call_logs_org_created_idx" ON "call_logs" ("org_id", "created_at", "id")`,
    );
    await q.query(
      `CREATE INDEX "call_logs_org_agent_created_idx" ON "call_logs" ("org_id", "agent_id", "created_at", "id")`,
    );
    await q.query(
      `CREATE INDEX "call_logs_org_thread_created_idx" ON "call_logs" ("org_id", "thread_id", "created_at", "id")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'call_logs',
      'conversation_messages',
      'provider_keys',
      'tools',
      'agents',
    ]) {
      await q.query(`DROP TABLE "${table}"`);
    }
  }
}
