import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Gateway API keys (src/modules/auth/api-keys): hash only, looked up by hash, listed per org. */
export class ApiKeys1795708440816 implements MigrationInterface {
  name = 'ApiKeys1795708440816';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "api_keys" (
        "id" text NOT NULL,
        "org_id" text NOT NULL,
        "name" text NOT NULL,
        "user_id" text NOT NULL,
        "prefix" text NOT NULL,
        "key_hash" text NOT NULL,
        "scopes" jsonb NOT NULL,
        "rate_limit" jsonb,
        "expires_at" timestamptz,
        "revoked_at" timestamptz,
        "last_used_at" timestamptz,
        "created_by" text NOT NULL,
        "created_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL,
        CONSTRAINT "PK_api_keys" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE UNIQUE INDEX "api_keys_key_hash_uq" ON "api_keys" ("key_hash")`);
    await q.query(
      `CREATE INDEX "api_keys_org_created_idx" ON "api_keys" ("org_id", "created_at", "id")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "api_keys"`);
  }
}
