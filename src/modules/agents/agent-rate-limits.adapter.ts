import { Injectable, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { AppException, ErrorCode } from '../../common/errors';
import { ConfigChangeBus } from '../config-watcher';
import {
  AgentRateLimitLookup,
  type AgentRateLimitOverrides,
} from '../throttling/agent-rate-limit.lookup';
import { AgentsService } from './agents.service';

/** How long an agent's limits are reused: this runs on every completion request. */
const TTL_MS = 10_000;
const MAX_ENTRIES = 10_000;

/**
 * Feeds the rate limiter the agent's own `rate_limit`, cached briefly per (org, agent) and
 * dropped as soon as any instance changes the agent (config change events).
 */
@Injectable()
export class AgentRateLimitsAdapter
  extends AgentRateLimitLookup
  implements OnModuleInit, OnModuleDestroy
{
  private readonly cache = new Map<
    string,
    { value: AgentRateLimitOverrides | undefined; until: number }
  >();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly agents: AgentsService,
    @Optional() private readonly changes?: ConfigChangeBus,
  ) {
    super();
  }

  onModuleInit(): void {
    this.unsubscribe = this.changes?.subscribe(['agent'], (e) => {
      if (e.type === 'resync') return this.cache.clear();
      const { org_id: org, id } = e.change;
      if (org !== null) this.cache.delete(`${org}\u0000${id}`);
      else for (const k of this.cache.keys()) if (k.endsWith(`\u0000${id}`)) this.cache.delete(k);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  async find(orgId: string, agentId: string): Promise<AgentRateLimitOverrides | undefined> {
    const key = `${orgId}\u0000${agentId}`;
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.value;
    let value: AgentRateLimitOverrides | undefined;
    try {
      value = (await this.agents.get(orgId, agentId)).rate_limit ?? undefined;
    } catch (e) {
      // An unknown agent has no overrides; the completion itself answers the 404.
      if (!(e instanceof AppException && e.code === ErrorCode.NOT_FOUND)) throw e;
    }
    if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
    this.cache.set(key, { value, until: now + TTL_MS });
    return value;
  }
}
