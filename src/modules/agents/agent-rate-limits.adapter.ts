import { Injectable, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { AppException, ErrorCode } from '../../common/errors';
import { ReadThroughCache } from '../../common/cache/read-through-cache';
import { ConfigChangeBus, invalidateOnChanges } from '../config-watcher';
import {
  AgentRateLimitLookup,
  type AgentRateLimitOverrides,
  type AgentTarget,
} from '../throttling';
import { AgentsService } from './agents.service';

/**
 * A found agent's limits, wrapped so that "agent without overrides" (the common case, kept for
 * the full TTL) is told apart from "no such agent" (the cache's short negative entry).
 */
interface AgentLimits {
  overrides: AgentRateLimitOverrides | undefined;
  target: AgentTarget;
}

/**
 * Feeds the rate limiter the agent's own `rate_limit` (and, for the token estimate, its model,
 * max_tokens and prompt size). This runs on every completion request,
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
    return (await this.limits(orgId, agentId))?.overrides;
  }

  override async target(orgId: string, agentId: string): Promise<AgentTarget | undefined> {
    return (await this.limits(orgId, agentId))?.target;
  }

  private limits(orgId: string, agentId: string): Promise<AgentLimits | undefined> {
    return this.cache.get(orgId, agentId, async () => {
      try {
        const agent = await this.agents.get(orgId, agentId);
        const maxTokens = agent.configuration.max_tokens;
        return {
          overrides: agent.rate_limit ?? undefined,
          target: {
            service: agent.service,
            model: agent.model,
            maxTokens: typeof maxTokens === 'number' && maxTokens > 0 ? maxTokens : undefined,
            promptChars: agent.prompt.length,
          },
        };
      } catch (e) {
        // An unknown agent has no overrides; the completion itself answers the 404.
        if (e instanceof AppException && e.code === ErrorCode.NOT_FOUND) return undefined;
        throw e;
      }
    });
  }
}
