import { DynamicModule, Module, type ModuleMetadata, type Type } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { getOptionsToken, getStorageToken } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { limitsConfig } from '../../config';
import { REDIS_CLIENT } from '../../infra/redis/redis.module';
import { AgentRateLimitLookup, NoAgentRateLimits } from './agent-rate-limit.lookup';
import { BudgetReservations } from './budgets/budget-reservations';
import { RequestTokenEstimator } from './budgets/request-token-estimator';
import { RateLimitGuard } from './rate-limit.guard';
import { RateLimitPlans } from './rate-limit-plans.service';
import { MemoryRateLimitStore } from './stores/memory-rate-limit.store';
import { RateLimitStore } from './stores/rate-limit.store';
import { RedisRateLimitStore } from './stores/redis-rate-limit.store';
import { STORE_TIMEOUT_MS, StoreCallPolicy } from './stores/store-call-policy';
import { throttlerOptions } from './throttler-options';
import { TokenBudget } from './token-budget.service';

export interface ThrottlingOptions {
  /** Modules the agent lookup adapter depends on (e.g. the agents module). */
  imports?: ModuleMetadata['imports'];
  /** Reads an agent's `rate_limit`; by default no agent overrides anything. */
  agentRateLimits?: Type<AgentRateLimitLookup>;
}

/**
 * Request limits (@nestjs/throttler's ThrottlerGuard with named throttlers over the atomic
 * store), the org token budget and the budget reservations it is built on. It is the app's
 * throttler module: it provides the package's options and storage tokens itself (what
 * `ThrottlerModule.forRoot` would), so `@Throttle()`/`@SkipThrottle()` and an injected
 * `ThrottlerStorage` reach the gateway's Redis-backed store; register no other ThrottlerModule.
 * The composition root installs RateLimitGuard as an APP_GUARD after the auth guard. Counters
 * live in Redis when REDIS_URL is set, in memory otherwise.
 */
@Module({})
export class ThrottlingModule {
  static forRoot(options: ThrottlingOptions = {}): DynamicModule {
    return {
      module: ThrottlingModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        {
          provide: RateLimitStore,
          inject: [{ token: REDIS_CLIENT, optional: true }],
          useFactory: (redis: Redis | undefined): RateLimitStore =>
            redis ? new RedisRateLimitStore(redis) : new MemoryRateLimitStore(),
        },
        { provide: getStorageToken(), useExisting: RateLimitStore },
        {
          provide: StoreCallPolicy,
          inject: [limitsConfig.KEY, RateLimitStore],
          useFactory: (cfg: ConfigType<typeof limitsConfig>, store: RateLimitStore) =>
            // A deadline only for a store across the network: the memory store cannot hang.
            new StoreCallPolicy(
              cfg.failOpen,
              store instanceof MemoryRateLimitStore ? undefined : STORE_TIMEOUT_MS,
            ),
        },
        { provide: AgentRateLimitLookup, useClass: options.agentRateLimits ?? NoAgentRateLimits },
        RateLimitPlans,
        { provide: getOptionsToken(), inject: [RateLimitPlans], useFactory: throttlerOptions },
        BudgetReservations,
        RequestTokenEstimator,
        TokenBudget,
        RateLimitGuard,
      ],
      exports: [
        RateLimitStore,
        getStorageToken(),
        getOptionsToken(),
        StoreCallPolicy,
        AgentRateLimitLookup,
        BudgetReservations,
        RequestTokenEstimator,
        TokenBudget,
        RateLimitGuard,
      ],
    };
  }
}
