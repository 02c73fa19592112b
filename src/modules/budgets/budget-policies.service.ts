import { Injectable, Optional } from '@nestjs/common';
import { AppException, ErrorCode } from '../../common/errors';
import { ConfigChangeBus } from '../config-watcher';
import { BudgetPoliciesRepository } from './budget-policies.repository';
import type { BudgetPolicy, BudgetSubject } from './budget.types';
import type { PutBudgetDto } from './dto/put-budget.dto';
import { SpendBudgets } from './spend-budgets.service';

/**
 * Writes and reads of stored policies. A write drops this instance's cached copy at once and is
 * announced on the config change bus, so other instances drop theirs too.
 */
@Injectable()
export class BudgetPolicies {
  constructor(
    private readonly repo: BudgetPoliciesRepository,
    private readonly budgets: SpendBudgets,
    @Optional() private readonly changes?: ConfigChangeBus,
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
    await this.changed(orgId, subject, id, 'upsert');
    return saved;
  }

  /** 404 when the subject had no policy. */
  async remove(orgId: string, subject: BudgetSubject, id: string): Promise<void> {
    if (!(await this.repo.remove(orgId, subject, id))) {
      throw new AppException(ErrorCode.NOT_FOUND, `No budget policy for this ${subject}`);
    }
    await this.changed(orgId, subject, id, 'delete');
  }

  private async changed(
    orgId: string,
    subject: BudgetSubject,
    id: string,
    op: 'upsert' | 'delete',
  ): Promise<void> {
    this.budgets.forget(orgId);
    await this.changes?.announce({
      kind: 'budget_policy',
      org_id: orgId,
      id: `${subject}:${id}`,
      op,
    });
  }
}
