import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppException, ErrorCode } from '../../common/errors';
import { RequestTokenEstimator } from './budgets/request-token-estimator';
import { RATE_LIMITED_KEY } from './rate-limited.metadata';
import { setRateLimitHeaders } from './rate-limit-headers';
import { RateLimiter, type LimitState, type RateLimitDecision } from './rate-limiter.service';
import { requestFacts } from './request-facts';
import { TokenBudget, type TokenBudgetState } from './token-budget.service';

/**
 * Enforces the limits on `@RateLimited()` routes.
 *
 * A small guard rather than @nestjs/throttler's `ThrottlerGuard` (whose storage interface the
 * stores do implement): ThrottlerGuard runs every configured throttler on every request with
 * static, per-throttler trackers, while a request here passes a chain that depends on the
 * authenticated principal (an API key's own limit), on async lookups (the agent's stored
 * overrides) and on an optional thread id, and must stop at the first refusal. It also writes
 * X-RateLimit-* headers and throws its own exception, where we need the IETF RateLimit-* fields,
 * DESIGN's error envelope and a policy for an unreachable store.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
    private readonly tokens: TokenBudget,
    private readonly estimator: RequestTokenEstimator,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const marked = this.reflector.getAllAndOverride<boolean>(RATE_LIMITED_KEY, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    const http = ctx.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    // Unauthenticated requests never get here on protected routes; public routes are not limited.
    if (!marked || !req.principal) return true;
    const reply = http.getResponse<FastifyReply>();

    const principal = req.principal;
    const facts = requestFacts(req, principal);

    // The token estimate is reserved first: a request refused for tokens spends no request
    // counter, and one refused by a request limit gives its reservation straight back.
    let budget: TokenBudgetState | undefined;
    if (this.tokens.enabled) {
      const estimate = await this.estimator.estimate(req.body, principal.orgId, facts.agentId);
      budget = await this.tokens.reserve(principal, estimate);
      if (budget) settleWhenDone(reply, () => this.tokens.settle(principal));
    }
    let decision: RateLimitDecision;
    try {
      decision = await this.limiter.check(facts);
    } catch (e) {
      await this.tokens.settle(principal);
      throw e;
    }
    setRateLimitHeaders(reply, decision.reported, budget);
    if (!decision.allowed && decision.reported) {
      await this.tokens.settle(principal);
      throw tooManyRequests(decision.reported);
    }
    return true;
  }
}

function tooManyRequests(state: LimitState): AppException {
  const per = state.level === 'thread' ? 'per thread' : 'per user';
  return new AppException(
    ErrorCode.RATE_LIMITED,
    `Rate limit exceeded: ${state.limit} requests per minute ${per}; retry in ${state.resetSeconds}s`,
    {
      details: { level: state.level, limit: state.limit, reset_seconds: state.resetSeconds },
      headers: {
        'retry-after': String(state.resetSeconds),
        'ratelimit-limit': String(state.limit),
        'ratelimit-remaining': '0',
        'ratelimit-reset': String(state.resetSeconds),
      },
    },
  );
}

/** Runs `settle` once the response is over, however it ends (sent, failed, client gone). */
function settleWhenDone(reply: FastifyReply, settle: () => Promise<void>): void {
  const raw = reply.raw as FastifyReply['raw'] | undefined;
  if (!raw) return;
  raw.once('close', () => void settle());
}
