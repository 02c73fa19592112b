import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import { limitsConfig } from '../../config';
import { AgentRateLimitLookup, type AgentRateLimitOverrides } from './agent-rate-limit.lookup';
import { planLevels, type Bucket, type LimitLevel, type RateLimitFacts } from './rate-limit-plan';
import { requestFacts } from './request-facts';

/**
 * The buckets of one request (caller, then thread), worked out once per request: the named
 * throttlers each resolve their limit and tracker from it, and the agent's stored overrides are
 * read (through a cache) at most once.
 */
@Injectable()
export class RateLimitPlans {
  private readonly logger = new Logger(RateLimitPlans.name);
  /** Per request: the plan once known, else the promise of it. */
  private readonly plans = new WeakMap<FastifyRequest, Bucket[] | Promise<Bucket[]>>();

  constructor(
    @Inject(limitsConfig.KEY) private readonly cfg: ConfigType<typeof limitsConfig>,
    private readonly agents: AgentRateLimitLookup,
  ) {}

  /**
   * The request's bucket at `level`; undefined when it has none (no principal, no thread).
   * Synchronous once the request's plan is known (the limit and the tracker both ask).
   */
  bucket(req: FastifyRequest, level: LimitLevel): Bucket | undefined | Promise<Bucket | undefined> {
    const plan = this.planFor(req);
    const find = (buckets: Bucket[]) => buckets.find((b) => b.level === level);
    return plan instanceof Promise ? plan.then(find) : find(plan);
  }

  /** Synchronous unless an agent's stored overrides must be read first. */
  planFor(req: FastifyRequest): Bucket[] | Promise<Bucket[]> {
    let plan = this.plans.get(req);
    if (plan) return plan;
    const principal = req.principal;
    if (!principal) return [];
    const facts = requestFacts(req, principal);
    if (facts.agentId === undefined) {
      plan = this.levels(facts, undefined);
    } else {
      plan = this.agentOverrides(facts.orgId, facts.agentId).then((agent) => {
        const buckets = this.levels(facts, agent);
        this.plans.set(req, buckets);
        return buckets;
      });
    }
    this.plans.set(req, plan);
    return plan;
  }

  private levels(facts: RateLimitFacts, agent: AgentRateLimitOverrides | undefined): Bucket[] {
    return planLevels(
      facts,
      { userPerMinute: this.cfg.userPerMinute, threadPerMinute: this.cfg.threadPerMinute },
      agent,
    );
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
