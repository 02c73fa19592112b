/** The throttling module's public surface. */
export { ThrottlingModule, type ThrottlingOptions } from './throttling.module';
export { RateLimited } from './rate-limited.decorator';
export { RateLimitGuard } from './rate-limit.guard';
export { RateLimiter, type LimitState, type RateLimitDecision } from './rate-limiter.service';
export { TokenBudget, type TokenBudgetState } from './token-budget.service';
export {
  BudgetReservations,
  type Reservation,
  type ReserveOutcome,
} from './budgets/budget-reservations';
export {
  AgentRateLimitLookup,
  NoAgentRateLimits,
  type AgentRateLimitOverrides,
  type AgentTarget,
} from './agent-rate-limit.lookup';
export { RateLimitStore } from './stores/rate-limit.store';
