import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Several provider keys per org and service, balanced by weight: the unique (org, service)
 * index goes, each key gains a weight (existing keys: 1) and an optional name.
 */
export class ProviderKeyPools1795709400000 implements MigrationInterface {
  name = 'ProviderKeyPools1795709400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "provider_keys_org_service_uq"`);
    await q.query(`ALTER TABLE "provider_keys" ADD COLUMN "weight" integer NOT NULL DEFAULT 1`);
    await q.query(`ALTER TABLE "provider_keys" ADD COLUMN "name" text`);
    await q.query(
      `CREATE INDEX "provider_keys_org_service_idx" ON "provider_keys" ("org_id", "service", "created_at")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "provider_keys_org_service_idx"`);
    await q.query(`ALTER TABLE "provider_keys" DROP COLUMN "name"`);
    await q.query(`ALTER TABLE "provider_keys" DROP COLUMN "weight"`);
    // Fails while an org holds two keys for a service: delete the extra ones first.
    await q.query(
      `CREATE UNIQUE INDEX "provider_keys_org_service_uq" ON "provider_keys" ("org_id", "service")`,
    );
  }
}
