import type { FastifyReply } from 'fastify';
import type { TokenBudgetState } from './token-budget.service';
import type { LimitState } from './rate-limiter.service';

/**
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers): limit, remaining and
 * seconds until reset of the limit closest to refusing. The org's token budget, when on, is
 * reported OpenAI-style in x-ratelimit-*-tokens.
 */
export function setRateLimitHeaders(
  reply: FastifyReply,
  state: LimitState | undefined,
  tokens: TokenBudgetState | undefined,
): void {
  if (state) {
    void reply.header('ratelimit-limit', String(state.limit));
    void reply.header('ratelimit-remaining', String(state.remaining));
    void reply.header('ratelimit-reset', String(state.resetSeconds));
  }
  if (tokens) {
    void reply.header('x-ratelimit-limit-tokens', String(tokens.limit));
    void reply.header('x-ratelimit-remaining-tokens', String(tokens.remaining));
    void reply.header('x-ratelimit-reset-tokens', `${tokens.resetSeconds}s`);
  }
}
