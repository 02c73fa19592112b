import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dollar budgets and model allowlists per org, API key and user (src/modules/budgets). Keyed
 * (org_id, subject, subject_id), the only lookups they get. Written to match the entity exactly
 * (migrations.spec.ts checks).
 */
export class BudgetPolicies1795709500000 implements MigrationInterface {
  name = 'BudgetPolicies1795709500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "budget_policies" (
      "org_id" text NOT NULL,
      "subject" text NOT NULL,
      "subject_id" text NOT NULL,
      "day_usd" double precision,
      "month_usd" double precision,
      "alert_percent" integer,
      "allowed_models" jsonb,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "budget_policies_subject_ck" CHECK ("subject" IN ('org', 'key', 'user')),
      CONSTRAINT "budget_policies_pkey" PRIMARY KEY ("org_id", "subject", "subject_id"))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "budget_policies"`);
  }
}
