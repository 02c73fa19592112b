import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type Resolvable,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppException, ErrorCode } from '../../common/errors';
import { RequestTokenEstimator } from './budgets/request-token-estimator';
import type { LimitLevel } from './rate-limit-plan';
import {
  setRequestLimitHeaders,
  setTokenBudgetHeaders,
  type LimitState,
} from './rate-limit-headers';
import { requestFacts } from './request-facts';
import { StoreCallPolicy } from './stores/store-call-policy';
import { readRouteThrottling, type RouteThrottler, type RouteThrottling } from './route-throttling';
import { THROTTLER_NAMES } from './throttler-options';
import { rateLimited } from './throttling.metrics';
import { TokenBudget } from './token-budget.service';

/**
 * @nestjs/throttler's ThrottlerGuard with the gateway's named throttlers (`user`, then `thread`;
 * throttler-options.ts) over the atomic store, run app-wide after the auth guard. A route is
 * limited when it is marked `@RateLimited()` (the deployment's limits and the org token budget)
 * or sets its own limits with `@Throttle({ user: { limit, ttl } })`; `@SkipThrottle({ thread:
 * true })` skips a level and a bare `@SkipThrottle()` all of them. Public routes and routes with
 * neither marker are not limited.
 *
 * What it changes in the stock guard, and why:
 * - keys: a level's bucket is gateway-wide (`rl:{org}:user:<id>`: one per-user limit across all
 *   completion routes, shared by every instance); a route that overrides a level's limit counts
 *   in a bucket of its own for that route, so two limits never share one counter;
 * - store calls go through StoreCallPolicy (fail open only when the store is unreachable);
 * - a limit of 0 turns the level off; the first refusal stops the chain, as stock;
 * - a route's decorators are read once per route, not a dozen metadata keys per request;
 * - answers: IETF RateLimit-* headers for the level closest to refusing, and a 429 in DESIGN's
 *   error envelope with Retry-After and the level in its details;
 * - the org token budget: an estimate is reserved before the levels are counted (so a request
 *   refused for tokens spends no request counter), given back if a level refuses, and settled
 *   to the real usage when the response ends.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  private readonly reported = new WeakMap<object, LimitState>();
  /** Per route handler: its decorators, read once (route metadata never changes). */
  private readonly routes = new WeakMap<object, RouteThrottling>();

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly policy: StoreCallPolicy,
    private readonly tokens: TokenBudget,
    private readonly estimator: RequestTokenEstimator,
  ) {
    super(options, storage, reflector);
  }

  override async onModuleInit(): Promise<void> {
    await super.onModuleInit();
    // The stock guard orders throttlers by ttl; a request passes its caller's level first.
    const rank = (name?: string) => {
      const i = THROTTLER_NAMES.indexOf(name as LimitLevel);
      return i === -1 ? THROTTLER_NAMES.length : i;
    };
    this.throttlers.sort((a, b) => rank(a.name) - rank(b.name));
  }

  /**
   * The stock loop (each throttler in turn: skip, resolve limit / ttl / block duration with the
   * route's `@Throttle()` values first, then `handleRequest`), except that a route's metadata is
   * read once per route instead of a dozen keys per request, and the token budget is reserved
   * before it runs.
   */
  override async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const route = this.routeOf(ctx);
    if (!route.limited) return true;
    const http = ctx.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const principal = req.principal;
    // Unauthenticated requests never get here on protected routes; public routes are not limited.
    if (!principal) return true;
    if (route.marked && this.tokens.enabled) {
      const agentId = requestFacts(req, principal).agentId;
      const estimate = await this.estimator.estimate(req.body, principal.orgId, agentId);
      const budget = await this.tokens.reserve(principal, estimate);
      if (budget) {
        const reply = http.getResponse<FastifyReply>();
        setTokenBudgetHeaders(reply, budget);
        reply.raw?.once('close', () => void this.tokens.settle(principal));
      }
    }
    try {
      for (const throttler of this.throttlers) {
        const name = throttler.name ?? 'default';
        const own = route.throttlers.get(name) ?? NOT_DECORATED;
        const skipIf = throttler.skipIf ?? this.commonOptions.skipIf;
        if (own.skip || skipIf?.(ctx)) continue;
        let value = valueOf(ctx, own.limit ?? throttler.limit);
        const limit = toNumber(value instanceof Promise ? await value : value, 'limit', name);
        if (limit <= 0) continue; // the level is off for this request
        value = valueOf(ctx, own.ttl ?? throttler.ttl);
        const ttl = toNumber(value instanceof Promise ? await value : value, 'ttl', name);
        const block = own.blockDuration ?? throttler.blockDuration;
        value = block === undefined ? ttl : valueOf(ctx, block);
        const blockDuration = toNumber(
          value instanceof Promise ? await value : value,
          'blockDuration',
          name,
        );
        await this.handleRequest({
          context: ctx,
          limit,
          ttl,
          throttler,
          blockDuration,
          getTracker: own.getTracker ?? throttler.getTracker ?? this.commonOptions.getTracker!,
          generateKey: own.generateKey ?? throttler.generateKey ?? this.commonOptions.generateKey!,
        });
      }
      return true;
    } catch (e) {
      // Refused (or the store failed) after the reservation: it goes back at once.
      await this.tokens.settle(principal);
      throw e;
    }
  }

  /** Routes without limits (and `@SkipThrottle()`) are skipped, as are unauthenticated requests. */
  protected override async shouldSkip(ctx: ExecutionContext): Promise<boolean> {
    return !this.routeOf(ctx).limited || !ctx.switchToHttp().getRequest<FastifyRequest>().principal;
  }

  protected override async handleRequest({
    context,
    limit,
    ttl,
    throttler,
    blockDuration,
    getTracker,
    generateKey,
  }: ThrottlerRequest): Promise<boolean> {
    if (limit <= 0) return true;
    const { req, res } = this.getRequestResponse(context);
    const pending = getTracker(req, context);
    const tracker = pending instanceof Promise ? await pending : pending;
    if (!tracker) return true;
    const level = (throttler.name ?? 'user') as LimitLevel;
    const key = generateKey(context, tracker, level);
    const record = await this.policy.run('increment', () =>
      this.storageService.increment(key, ttl, limit, blockDuration, level),
    );
    // Unreachable store under fail open: this level is not enforced (and not reported).
    if (!record) return true;
    const state: LimitState = {
      level,
      limit,
      windowMs: ttl,
      remaining: Math.max(0, limit - record.totalHits),
      resetSeconds: record.isBlocked ? record.timeToBlockExpire : record.timeToExpire,
    };
    if (record.isBlocked) {
      rateLimited().inc({ level });
      throw tooManyRequests(state);
    }
    const tightest = this.reported.get(req);
    if (!tightest || state.remaining < tightest.remaining) {
      this.reported.set(req, state);
      setRequestLimitHeaders(res as FastifyReply, state);
    }
    return true;
  }

  /** Gateway-wide buckets; a route with its own limit for this level counts in its own. */
  protected override generateKey(ctx: ExecutionContext, tracker: string, name: string): string {
    if (!this.routeOf(ctx).throttlers.get(name)?.overridden) return tracker;
    return `${tracker}:route:${ctx.getClass().name}.${ctx.getHandler().name}`;
  }

  private routeOf(ctx: ExecutionContext): RouteThrottling {
    const handler = ctx.getHandler();
    let route = this.routes.get(handler);
    if (!route) {
      route = readRouteThrottling(
        this.reflector,
        [handler, ctx.getClass()],
        this.throttlers.map((t) => t.name ?? 'default'),
      );
      this.routes.set(handler, route);
    }
    return route;
  }
}

const NOT_DECORATED: RouteThrottler = { skip: false, overridden: false };

/**
 * A resolvable option's value, now or (from a function) maybe later. `await` on a plain number
 * still costs a turn of the microtask queue, so the caller awaits only what is pending.
 */
function valueOf(ctx: ExecutionContext, value: Resolvable<number>): number | Promise<number> {
  return typeof value === 'function' ? value(ctx) : value;
}

function toNumber(value: unknown, option: string, throttler: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || Number.isNaN(n)) {
    throw new Error(
      `Invalid "${option}" for the "${throttler}" throttler: expected a number, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

function tooManyRequests(state: LimitState): AppException {
  const per = state.level === 'thread' ? 'per thread' : 'per user';
  const window = state.windowMs === 60_000 ? 'minute' : `${state.windowMs / 1000} s`;
  return new AppException(
    ErrorCode.RATE_LIMITED,
    `Rate limit exceeded: ${state.limit} requests per ${window} ${per}; retry in ${state.resetSeconds}s`,
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
