import { Check, Column, Entity, PrimaryColumn } from 'typeorm';
import type { BudgetSubject } from '../budget.types';

/** `budget_policies` table (migration BudgetPolicies1795709500000): one row per (org, subject, id). */
@Entity({ name: 'budget_policies' })
@Check('budget_policies_subject_ck', `"subject" IN ('org', 'key', 'user')`)
export class BudgetPolicyEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'budget_policies_pkey' })
  org_id!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'budget_policies_pkey' })
  subject!: BudgetSubject;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'budget_policies_pkey' })
  subject_id!: string;

  @Column({ type: 'double precision', nullable: true })
  day_usd!: number | null;

  @Column({ type: 'double precision', nullable: true })
  month_usd!: number | null;

  @Column({ type: 'integer', nullable: true })
  alert_percent!: number | null;

  @Column({ type: 'jsonb', nullable: true })
  allowed_models!: string[] | null;

  @Column({ type: 'timestamptz' })
  updated_at!: Date;
}
