import type { MigrationInterface, QueryRunner } from 'typeorm';

const FUNCTION = 'aimw_notify_config_change';
const TRIGGER = 'aimw_config_change';
/** Frozen here (a migration must not change with the code): see sources/watched-stores.ts. */
const CHANNEL = 'aimw_config_changes';
const TABLES: Array<[kind: string, table: string]> = [
  ['agent', 'agents'],
  ['tool', 'tools'],
  ['provider_key', 'provider_keys'],
  ['api_key', 'api_keys'],
  ['org_settings', 'org_settings'],
  ['catalog', 'catalog_overrides'],
];

/**
 * Org settings and the catalog-overrides record (src/modules/config-watcher), and the change
 * notifications of every configuration table: an AFTER trigger NOTIFYs `aimw_config_changes`
 * with `{kind, org_id, id, op}` on commit, whoever wrote (an instance or a person with psql).
 * Updates that leave `updated_at` alone (an API key's last use, re-encryption under a new key)
 * change nothing a cache holds, so they stay silent.
 */
export class ConfigWatcher1795708800000 implements MigrationInterface {
  name = 'ConfigWatcher1795708800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "org_settings" (
        "id" text NOT NULL,
        "org_id" text NOT NULL,
        "error_webhook_url" text,
        "error_webhook_secret_sealed" text,
        "error_webhook_secret_hint" text,
        "created_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL,
        CONSTRAINT "org_settings_pkey" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE UNIQUE INDEX "org_settings_org_uq" ON "org_settings" ("org_id")`);
    await q.query(`
      CREATE TABLE "catalog_overrides" (
        "id" text NOT NULL,
        "overrides" jsonb NOT NULL,
        "updated_by" text NOT NULL,
        "created_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL,
        CONSTRAINT "catalog_overrides_pkey" PRIMARY KEY ("id")
      )`);
    await q.query(`
      CREATE OR REPLACE FUNCTION ${FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        rec jsonb;
      BEGIN
        IF TG_OP = 'UPDATE' AND NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
          RETURN NULL;
        END IF;
        rec := CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END;
        PERFORM pg_notify('${CHANNEL}', json_build_object(
          'kind', TG_ARGV[0],
          'org_id', rec ->> 'org_id',
          'id', rec ->> 'id',
          'op', CASE WHEN TG_OP = 'DELETE' THEN 'delete' ELSE 'upsert' END
        )::text);
        RETURN NULL;
      END
      $$`);
    for (const [kind, table] of TABLES) {
      await q.query(
        `CREATE TRIGGER ${TRIGGER} AFTER INSERT OR UPDATE OR DELETE ON "${table}" ` +
          `FOR EACH ROW EXECUTE FUNCTION ${FUNCTION}('${kind}')`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [, table] of TABLES) {
      await q.query(`DROP TRIGGER IF EXISTS ${TRIGGER} ON "${table}"`);
    }
    await q.query(`DROP FUNCTION IF EXISTS ${FUNCTION}()`);
    await q.query(`DROP TABLE "catalog_overrides"`);
    await q.query(`DROP TABLE "org_settings"`);
  }
}
