import { Injectable, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { AppException, ErrorCode } from '../../common/errors';
import { ConfigChangeBus, invalidateOnChanges, ReadThroughCache } from '../config-watcher';
import {
  AgentRateLimitLookup,
  type AgentRateLimitOverrides,
} from '../throttling/agent-rate-limit.lookup';
import { AgentsService } from './agents.service';

/**
 * A found agent's limits, wrapped so that "agent without overrides" (the common case, kept for
 * the full TTL) is told apart from "no such agent" (the cache's short negative entry).
 */
interface AgentLimits {
  overrides: AgentRateLimitOverrides | undefined;
}

/**
 * Feeds the rate limiter the agent's own `rate_limit`. This runs on every completion request,
 * so it reads through the same cache the pipeline uses for agents: concurrent misses share one
 * store read, and any instance's change to the agent drops the entry (config change events).
 */
@Injectable()
export class AgentRateLimitsAdapter
  extends AgentRateLimitLookup
  implements OnModuleInit, OnModuleDestroy
{
  private readonly cache = new ReadThroughCache<AgentLimits>({
    ttlMs: 10_000,
    negativeTtlMs: 5_000,
    maxEntries: 10_000,
  });
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly agents: AgentsService,
    @Optional() private readonly changes?: ConfigChangeBus,
  ) {
    super();
  }

  onModuleInit(): void {
    if (this.changes) this.unsubscribe = invalidateOnChanges(this.changes, ['agent'], this.cache);
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  async find(orgId: string, agentId: string): Promise<AgentRateLimitOverrides | undefined> {
    const limits = await this.cache.get(orgId, agentId, async () => {
      try {
        return { overrides: (await this.agents.get(orgId, agentId)).rate_limit ?? undefined };
      } catch (e) {
        // An unknown agent has no overrides; the completion itself answers the 404.
        if (e instanceof AppException && e.code === ErrorCode.NOT_FOUND) return undefined;
        throw e;
      }
    });
    return limits?.overrides;
  }
}
