import type { DataSource, Repository } from 'typeorm';
import { BudgetPoliciesRepository } from '../budget-policies.repository';
import type { BudgetPolicy, BudgetPolicyFields, BudgetSubject } from '../budget.types';
import { BudgetPolicyEntity } from './budget-policy.entity';

export class PostgresBudgetPoliciesRepository extends BudgetPoliciesRepository {
  private readonly repo: Repository<BudgetPolicyEntity>;

  constructor(dataSource: DataSource) {
    super();
    this.repo = dataSource.getRepository(BudgetPolicyEntity);
  }

  async list(orgId: string): Promise<BudgetPolicy[]> {
    const rows = await this.repo.find({
      where: { org_id: orgId },
      order: { subject: 'ASC', subject_id: 'ASC' },
    });
    return rows.map((r) => ({ ...r }));
  }

  /** One statement (INSERT ... ON CONFLICT DO UPDATE), so concurrent writes agree. */
  async put(
    orgId: string,
    subject: BudgetSubject,
    subjectId: string,
    fields: BudgetPolicyFields,
  ): Promise<BudgetPolicy> {
    const row = {
      org_id: orgId,
      subject,
      subject_id: subjectId,
      ...fields,
      updated_at: new Date(),
    };
    await this.repo
      .createQueryBuilder()
      .insert()
      .values(row)
      .orUpdate(
        ['day_usd', 'month_usd', 'alert_percent', 'allowed_models', 'updated_at'],
        ['org_id', 'subject', 'subject_id'],
      )
      .execute();
    return row;
  }

  async remove(orgId: string, subject: BudgetSubject, subjectId: string): Promise<boolean> {
    const res = await this.repo.delete({ org_id: orgId, subject, subject_id: subjectId });
    return (res.affected ?? 0) > 0;
  }
}
