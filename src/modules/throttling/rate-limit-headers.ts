import type { FastifyReply } from 'fastify';
import type { LimitLevel } from './rate-limit-plan';
import type { TokenBudgetState } from './token-budget.service';

/** A request limit as reported to the client. */
export interface LimitState {
  level: LimitLevel;
  limit: number;
  /** The level's window (60 s unless a route's `@Throttle()` says otherwise). */
  windowMs: number;
  remaining: number;
  resetSeconds: number;
}

/**
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers): limit, remaining and
 * seconds until reset of the limit closest to refusing.
 */
export function setRequestLimitHeaders(reply: FastifyReply, state: LimitState): void {
  void reply.header('ratelimit-limit', String(state.limit));
  void reply.header('ratelimit-remaining', String(state.remaining));
  void reply.header('ratelimit-reset', String(state.resetSeconds));
}

/** The org's token budget, OpenAI-style, in x-ratelimit-*-tokens. */
export function setTokenBudgetHeaders(reply: FastifyReply, tokens: TokenBudgetState): void {
  void reply.header('x-ratelimit-limit-tokens', String(tokens.limit));
  void reply.header('x-ratelimit-remaining-tokens', String(tokens.remaining));
  void reply.header('x-ratelimit-reset-tokens', `${tokens.resetSeconds}s`);
}
