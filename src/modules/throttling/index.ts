/** The throttling module's public surface. */
export { ThrottlingModule, type ThrottlingOptions } from './throttling.module';
export { RateLimited } from './rate-limited.decorator';
export { RATE_LIMITED_KEY } from './rate-limited.metadata';
export { RateLimitGuard } from './rate-limit.guard';
export type { LimitState } from './rate-limit-headers';
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
export { StoreCallPolicy } from './stores/store-call-policy';
export { MemoryRateLimitStore } from './stores/memory-rate-limit.store';
export { estimateTokenParts, requestedModel } from './budgets/token-estimate';
export { requestFacts } from './request-facts';
