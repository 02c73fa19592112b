import type { MigrationInterface, QueryRunner } from 'typeorm';

const FUNCTION = 'aimw_notify_budget_policy_change';
const TRIGGER = 'aimw_config_change';
/** Frozen here (a migration must not change with the code): see config-watcher's watched-stores.ts. */
const CHANNEL = 'aimw_config_changes';

/**
 * Budget policy changes on the config watcher's NOTIFY channel, like every other stored setting
 * (ConfigWatcher1795708800000): other instances drop their cached copy of the org's policies at
 * once instead of when it expires. The table has no `id` column (its key is (org, subject,
 * subject_id)), so its own function names the record `subject:subject_id`.
 */
export class BudgetPolicyChanges1795709600000 implements MigrationInterface {
  name = 'BudgetPolicyChanges1795709600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION ${FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        rec record;
      BEGIN
        IF TG_OP = 'UPDATE' AND NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
          RETURN NULL;
        END IF;
        IF TG_OP = 'DELETE' THEN rec := OLD; ELSE rec := NEW; END IF;
        PERFORM pg_notify('${CHANNEL}', json_build_object(
          'kind', 'budget_policy',
          'org_id', rec.org_id,
          'id', rec.subject || ':' || rec.subject_id,
          'op', CASE WHEN TG_OP = 'DELETE' THEN 'delete' ELSE 'upsert' END
        )::text);
        RETURN NULL;
      END
      $$`);
    await q.query(
      `CREATE TRIGGER ${TRIGGER} AFTER INSERT OR UPDATE OR DELETE ON "budget_policies" ` +
        `FOR EACH ROW EXECUTE FUNCTION ${FUNCTION}()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS ${TRIGGER} ON "budget_policies"`);
    await q.query(`DROP FUNCTION IF EXISTS ${FUNCTION}()`);
  }
}
