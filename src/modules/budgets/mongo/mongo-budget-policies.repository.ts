import type { Connection, Model } from 'mongoose';
import { modelOn } from '../../../infra/document-store/mongo-model';
import { BudgetPoliciesRepository } from '../budget-policies.repository';
import type { BudgetPolicy, BudgetPolicyFields, BudgetSubject } from '../budget.types';
import { BUDGET_POLICY_MODEL, BudgetPolicySchema } from './budget-policy.schema';

type PolicyDoc = BudgetPolicy & { _id?: unknown };

export class MongoBudgetPoliciesRepository extends BudgetPoliciesRepository {
  private readonly model: Model<BudgetPolicy>;

  constructor(connection: Connection) {
    super();
    this.model = modelOn(connection, BUDGET_POLICY_MODEL, BudgetPolicySchema);
  }

  async list(orgId: string): Promise<BudgetPolicy[]> {
    const docs = await this.model
      .find({ org_id: orgId })
      .sort({ subject: 1, subject_id: 1 })
      .lean<PolicyDoc[]>();
    return docs.map(toPolicy);
  }

  async put(
    orgId: string,
    subject: BudgetSubject,
    subjectId: string,
    fields: BudgetPolicyFields,
  ): Promise<BudgetPolicy> {
    const doc = await this.model
      .findOneAndUpdate(
        { org_id: orgId, subject, subject_id: subjectId },
        { $set: { ...fields, updated_at: new Date() } },
        { upsert: true, new: true, runValidators: true },
      )
      .lean<PolicyDoc>();
    if (!doc) throw new Error('budget policy upsert returned no document');
    return toPolicy(doc);
  }

  async remove(orgId: string, subject: BudgetSubject, subjectId: string): Promise<boolean> {
    const res = await this.model.deleteOne({ org_id: orgId, subject, subject_id: subjectId });
    return res.deletedCount > 0;
  }
}

function toPolicy(doc: PolicyDoc): BudgetPolicy {
  return {
    org_id: doc.org_id,
    subject: doc.subject,
    subject_id: doc.subject_id,
    day_usd: doc.day_usd ?? null,
    month_usd: doc.month_usd ?? null,
    alert_percent: doc.alert_percent ?? null,
    allowed_models: doc.allowed_models ?? null,
    updated_at: doc.updated_at,
  };
}
