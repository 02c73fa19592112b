import { DynamicModule, Module, type ModuleMetadata, type Type } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type Redis from 'ioredis';
import { limitsConfig } from '../../config';
import { REDIS_CLIENT } from '../../infra/redis/redis.module';
import { AgentRateLimitLookup, NoAgentRateLimits } from './agent-rate-limit.lookup';
import { BudgetReservations } from './budgets/budget-reservations';
import { RequestTokenEstimator } from './budgets/request-token-estimator';
import { RateLimitGuard } from './rate-limit.guard';
import { RateLimiter } from './rate-limiter.service';
import { MemoryRateLimitStore } from './stores/memory-rate-limit.store';
import { RateLimitStore } from './stores/rate-limit.store';
import { RedisRateLimitStore } from './stores/redis-rate-limit.store';
import { StoreCallPolicy } from './stores/store-call-policy';
import { TokenBudget } from './token-budget.service';

export interface ThrottlingOptions {
  /** Modules the agent lookup adapter depends on (e.g. the agents module). */
  imports?: ModuleMetadata['imports'];
  /** Reads an agent's `rate_limit`; by default no agent overrides anything. */
  agentRateLimits?: Type<AgentRateLimitLookup>;
}

/**
 * Request limits, the org token budget and the budget reservations it is built on (reusable
 * for other budgets). Global, because `@RateLimited()` instantiates its
 * guard in the module of the controller it decorates, which must be able to resolve the
 * guard's dependencies. Counters live in Redis when REDIS_URL is set, in memory otherwise.
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
        {
          provide: StoreCallPolicy,
          inject: [limitsConfig.KEY],
          useFactory: (cfg: ConfigType<typeof limitsConfig>) => new StoreCallPolicy(cfg.failOpen),
        },
        { provide: AgentRateLimitLookup, useClass: options.agentRateLimits ?? NoAgentRateLimits },
        RateLimiter,
        BudgetReservations,
        RequestTokenEstimator,
        TokenBudget,
        RateLimitGuard,
      ],
      exports: [
        RateLimitStore,
        StoreCallPolicy,
        AgentRateLimitLookup,
        RateLimiter,
        BudgetReservations,
        RequestTokenEstimator,
        TokenBudget,
        RateLimitGuard,
      ],
    };
  }
}
