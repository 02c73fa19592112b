import type { BudgetPolicy, BudgetPolicyFields, BudgetSubject } from './budget.types';

/**
 * Port (and DI token) for stored budget policies; bound to the MongoDB or Postgres adapter by
 * `provideRepository`. Every call is scoped by org.
 */
export abstract class BudgetPoliciesRepository {
  /** Every policy of the org (org, keys, users). */
  abstract list(orgId: string): Promise<BudgetPolicy[]>;
  /** Creates or replaces the subject's policy. */
  abstract put(
    orgId: string,
    subject: BudgetSubject,
    subjectId: string,
    fields: BudgetPolicyFields,
  ): Promise<BudgetPolicy>;
  /** Removes it; false when there was none. */
  abstract remove(orgId: string, subject: BudgetSubject, subjectId: string): Promise<boolean>;
}
