import { Injectable } from '@nestjs/common';
import { AppException, ErrorCode } from '../../common/errors';
import {
  AgentRateLimitLookup,
  type AgentRateLimitOverrides,
} from '../throttling/agent-rate-limit.lookup';
import { AgentsService } from './agents.service';

/** How long an agent's limits are reused: this runs on every completion request. */
const TTL_MS = 10_000;
const MAX_ENTRIES = 10_000;

/** Feeds the rate limiter the agent's own `rate_limit`, cached briefly per (org, agent). */
@Injectable()
export class AgentRateLimitsAdapter extends AgentRateLimitLookup {
  private readonly cache = new Map<
    string,
    { value: AgentRateLimitOverrides | undefined; until: number }
  >();

  constructor(private readonly agents: AgentsService) {
    super();
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
