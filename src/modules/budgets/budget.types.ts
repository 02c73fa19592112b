/** Who a budget belongs to: the whole org, one gateway API key, or one user (JWT `sub`). */
export type BudgetSubject = 'org' | 'key' | 'user';
export const BUDGET_SUBJECTS: readonly BudgetSubject[] = ['org', 'key', 'user'];

/** UTC calendar periods a dollar limit applies to. */
export type BudgetPeriod = 'day' | 'month';
export const BUDGET_PERIODS: readonly BudgetPeriod[] = ['day', 'month'];

/** The largest limit accepted (USD per period): keeps nano-dollar counters exact in doubles. */
export const MAX_BUDGET_USD = 1_000_000;

/** What a subject may spend and call. Every field is optional; null/absent means "no limit". */
export interface BudgetPolicyFields {
  /** USD per UTC day. */
  day_usd: number | null;
  /** USD per UTC calendar month. */
  month_usd: number | null;
  /** Percent of a limit (1-100) at which the signed webhook fires, once per period; null = off. */
  alert_percent: number | null;
  /** `<service>/<model>` ids (or `<service>/*`) the subject may call; null = any. */
  allowed_models: string[] | null;
}

/** One stored policy: (org, subject, subject_id) is its identity; org policies use subject_id "org". */
export interface BudgetPolicy extends BudgetPolicyFields {
  org_id: string;
  subject: BudgetSubject;
  subject_id: string;
  updated_at: Date;
}

/** The id an org-wide policy is stored under. */
export const ORG_SUBJECT_ID = 'org';
