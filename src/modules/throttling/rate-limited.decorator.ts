import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiServiceUnavailableResponse, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { RATE_LIMITED_KEY } from './rate-limited.metadata';

const HEADERS = {
  'X-RateLimit-Remaining-Tokens': {
    description:
      "The org's token budget left this minute, after this request's estimate (when a budget is on)",
    schema: { type: 'integer' },
  },
  'RateLimit-Limit': { description: 'Requests allowed in the window', schema: { type: 'integer' } },
  'RateLimit-Remaining': {
    description: 'Requests left in the window',
    schema: { type: 'integer' },
  },
  'RateLimit-Reset': {
    description: 'Seconds until the window resets',
    schema: { type: 'integer' },
  },
};

/**
 * Puts a route under the per-user and per-thread request limits and the org token budget (an
 * estimate reserved before the call, settled to real usage when the response ends). Enforced
 * by the app-wide RateLimitGuard, which runs after the auth guard, so the principal is known.
 * Routes with limits of their own use @nestjs/throttler's `@Throttle()` instead (or as well).
 * Every response of the route carries RateLimit-Limit / -Remaining / -Reset; a 429 also carries
 * Retry-After.
 */
export const RateLimited = () =>
  applyDecorators(
    SetMetadata(RATE_LIMITED_KEY, true),
    ApiTooManyRequestsResponse({
      description:
        "A request limit (per user or API key, per thread) or the org's token budget is exhausted (`details.level`: " +
        '`user`, `thread` or `org_tokens`), or a dollar budget is spent (code `BUDGET_EXCEEDED`, `details.budget`: ' +
        '`key`, `user` or `org`, `details.period`, `details.resets_at`); retry after Retry-After seconds',
      headers: {
        'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } },
        ...HEADERS,
      },
    }),
    ApiServiceUnavailableResponse({
      description:
        'The rate-limit store did not answer a sent command in time (the request may have been counted, so it is ' +
        'not admitted), or it is unreachable and RATE_LIMIT_FAIL_OPEN=false; retry after Retry-After seconds',
      headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
    }),
  );
