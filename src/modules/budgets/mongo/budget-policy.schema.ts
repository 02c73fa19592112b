import { Schema } from 'mongoose';
import type { BudgetPolicy } from '../budget.types';

export const BUDGET_POLICY_MODEL = 'BudgetPolicy';

/** `budget_policies` collection: one document per (org, subject, subject_id). */
export const BudgetPolicySchema = new Schema<BudgetPolicy>(
  {
    org_id: { type: String, required: true },
    subject: { type: String, required: true, enum: ['org', 'key', 'user'] },
    subject_id: { type: String, required: true },
    day_usd: { type: Number, default: null },
    month_usd: { type: Number, default: null },
    alert_percent: { type: Number, default: null },
    allowed_models: { type: [String], default: null },
    updated_at: { type: Date, required: true },
  },
  { collection: 'budget_policies', versionKey: false, strict: 'throw' },
);

BudgetPolicySchema.index({ org_id: 1, subject: 1, subject_id: 1 }, { unique: true });
