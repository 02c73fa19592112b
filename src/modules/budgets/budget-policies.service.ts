import { Injectable } from '@nestjs/common';
import { AppException, ErrorCode } from '../../common/errors';
import { BudgetPoliciesRepository } from './budget-policies.repository';
import type { BudgetPolicy, BudgetSubject } from './budget.types';
import type { PutBudgetDto } from './dto/put-budget.dto';
import { SpendBudgets } from './spend-budgets.service';

/** Writes and reads of stored policies; a write drops this instance's cached copy at once. */
@Injectable()
export class BudgetPolicies {
  constructor(
    private readonly repo: BudgetPoliciesRepository,
    private readonly budgets: SpendBudgets,
  ) {}

  list(orgId: string): Promise<BudgetPolicy[]> {
    return this.repo.list(orgId);
  }

  /** Replaces the subject's whole policy: a field left out means no limit / any model. */
  async put(
    orgId: string,
    subject: BudgetSubject,
    id: string,
    body: PutBudgetDto,
  ): Promise<BudgetPolicy> {
    const saved = await this.repo.put(orgId, subject, id, {
      day_usd: body.day_usd ?? null,
      month_usd: body.month_usd ?? null,
      alert_percent: body.alert_percent ?? null,
      allowed_models: body.allowed_models ?? null,
    });
    this.budgets.forget(orgId);
    return saved;
  }

  /** 404 when the subject had no policy. */
  async remove(orgId: string, subject: BudgetSubject, id: string): Promise<void> {
    if (!(await this.repo.remove(orgId, subject, id))) {
      throw new AppException(ErrorCode.NOT_FOUND, `No budget policy for this ${subject}`);
    }
    this.budgets.forget(orgId);
  }
}
