/** The budgets module's public surface; other modules import from here only. */
export { BudgetsModule } from './budgets.module';
export { SpendBudgets, type BudgetState } from './spend-budgets.service';
export { SpendBudgetGuard } from './spend-budget.guard';
export { BudgetPolicyEntity } from './postgres/budget-policy.entity';
export { BudgetPolicies1795709500000 } from './postgres/1795709500000-BudgetPolicies';
export { BudgetPolicyChanges1795709600000 } from './postgres/1795709600000-BudgetPolicyChanges';
