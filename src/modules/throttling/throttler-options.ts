import type { ExecutionContext } from '@nestjs/common';
import type { ThrottlerModuleOptions, ThrottlerOptions } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { WINDOW_MS, type LimitLevel } from './rate-limit-plan';
import type { RateLimitPlans } from './rate-limit-plans.service';

/** The named throttlers, in the order a request passes them. */
export const THROTTLER_NAMES: readonly LimitLevel[] = ['user', 'thread'];

/**
 * @nestjs/throttler options for the gateway's levels. Each named throttler resolves its limit
 * and tracker per request from the request's plan: `user` is the caller's bucket (an API key's
 * own limit, an agent's override in a per-agent bucket, else RATE_LIMIT_USER_PER_MINUTE),
 * `thread` the thread's (an agent's `per_thread_per_minute`, else RATE_LIMIT_THREAD_PER_MINUTE;
 * only when the request names a thread). A limit of 0 turns a level off. Headers are the guard's
 * own (IETF RateLimit-*), so the package's X-RateLimit-* are off.
 */
export function throttlerOptions(plans: RateLimitPlans): ThrottlerModuleOptions {
  const level = (name: LimitLevel): ThrottlerOptions => ({
    name,
    ttl: WINDOW_MS,
    limit: (ctx: ExecutionContext) =>
      then(
        plans.bucket(ctx.switchToHttp().getRequest<FastifyRequest>(), name),
        (b) => b?.limit ?? 0,
      ),
    // The bucket's store key ('' when the request has no such level: nothing is counted).
    getTracker: (req) => then(plans.bucket(req as FastifyRequest, name), (b) => b?.key ?? ''),
  });
  return { throttlers: THROTTLER_NAMES.map(level), setHeaders: false };
}

/** Applies `f` now to a value, or later to a promised one (the hot path mostly has values). */
function then<T, R>(v: T | Promise<T>, f: (v: T) => R): R | Promise<R> {
  return v instanceof Promise ? v.then(f) : f(v);
}
