import { Global, Module } from '@nestjs/common';
import { provideRepository } from '../../infra/document-store/provide-repository';
import { AuthModule } from '../auth';
import { QueueModule } from '../queue';
import { SettingsModule } from '../settings';
import { BudgetAlerts } from './budget-alerts';
import { BudgetPoliciesRepository } from './budget-policies.repository';
import { BudgetPolicies } from './budget-policies.service';
import { ApiKeyBudgetController, BudgetsController } from './budgets.controller';
import { PostgresBudgetPoliciesRepository } from './postgres/postgres-budget-policies.repository';
import { RequestTargets } from './request-target';
import { SpendBudgetGuard } from './spend-budget.guard';
import { SpendBudgets } from './spend-budgets.service';
import { SpendLedger } from './spend-ledger';

/**
 * Dollar budgets (org, API key, user; day and month) and model allowlists: the policies store,
 * the ledger on the rate-limit store, the guard the composition root installs after the
 * rate-limit guard, and `/api/v1/budgets`. Global, so the pipeline records each round's cost
 * through SpendBudgets without importing this module.
 */
@Global()
@Module({
  imports: [AuthModule, QueueModule, SettingsModule],
  controllers: [BudgetsController, ApiKeyBudgetController],
  providers: [
    provideRepository(
      BudgetPoliciesRepository,
      () =>
        import('./mongo/mongo-budget-policies.repository').then(
          (m) => m.MongoBudgetPoliciesRepository,
        ),
      PostgresBudgetPoliciesRepository,
    ),
    SpendLedger,
    BudgetAlerts,
    RequestTargets,
    SpendBudgets,
    BudgetPolicies,
    SpendBudgetGuard,
  ],
  exports: [SpendBudgets, SpendBudgetGuard],
})
export class BudgetsModule {}
