import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { limitsConfig } from '../../config';
import { AgentRateLimitLookup, type AgentRateLimitOverrides } from './agent-rate-limit.lookup';
import { planBuckets, WINDOW_MS, type LimitLevel, type RateLimitFacts } from './rate-limit-plan';
import { RateLimitStore } from './stores/rate-limit.store';
import { StoreCallPolicy } from './stores/store-call-policy';
import { rateLimited } from './throttling.metrics';

export interface LimitState {
  level: LimitLevel;
  limit: number;
  remaining: number;
  resetSeconds: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** The state to report in RateLimit-* headers: the refusing limit, else the tightest one. */
  reported?: LimitState;
}

/**
 * Checks a request against its buckets in order (caller, then thread), stopping at the first
 * refusal so a request refused per user does not also count against its thread. Each check is
 * one atomic store increment. A store failure under fail-open skips that bucket.
 */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger(RateLimiter.name);

  constructor(
    @Inject(limitsConfig.KEY) private readonly cfg: ConfigType<typeof limitsConfig>,
    private readonly store: RateLimitStore,
    private readonly policy: StoreCallPolicy,
    private readonly agents: AgentRateLimitLookup,
  ) {}

  async check(facts: RateLimitFacts): Promise<RateLimitDecision> {
    const agent = facts.agentId ? await this.agentOverrides(facts.orgId, facts.agentId) : undefined;
    const buckets = planBuckets(
      facts,
      { userPerMinute: this.cfg.userPerMinute, threadPerMinute: this.cfg.threadPerMinute },
      agent,
    );
    let tightest: LimitState | undefined;
    for (const bucket of buckets) {
      const record = await this.policy.run('increment', () =>
        this.store.increment(bucket.key, WINDOW_MS, bucket.limit, WINDOW_MS, bucket.level),
      );
      if (!record) continue;
      const state: LimitState = {
        level: bucket.level,
        limit: bucket.limit,
        remaining: Math.max(0, bucket.limit - record.totalHits),
        resetSeconds: record.isBlocked ? record.timeToBlockExpire : record.timeToExpire,
      };
      if (record.isBlocked) {
        rateLimited().inc({ level: bucket.level });
        return { allowed: false, reported: state };
      }
      if (!tightest || state.remaining < tightest.remaining) tightest = state;
    }
    return { allowed: true, reported: tightest };
  }

  /** A failing agent lookup must not fail the request: the defaults apply instead. */
  private async agentOverrides(
    orgId: string,
    agentId: string,
  ): Promise<AgentRateLimitOverrides | undefined> {
    try {
      return await this.agents.find(orgId, agentId);
    } catch (e) {
      this.logger.warn(
        `Agent rate-limit lookup failed, using the defaults: ${e instanceof Error ? e.message : String(e)}`,
      );
      return undefined;
    }
  }
}
