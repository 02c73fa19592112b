import type { ExecutionContext } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { ConfigType } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import type { Principal } from '../../common/auth/principal';
import { AppException, ErrorCode } from '../../common/errors';
import type { limitsConfig } from '../../config';
import { AgentRateLimitLookup, NoAgentRateLimits } from './agent-rate-limit.lookup';
import { SkipThrottle, Throttle } from '@nestjs/throttler';
import { RateLimited } from './rate-limited.decorator';
import { RATE_LIMITED_KEY } from './rate-limited.metadata';
import { THROTTLER_LIMIT, THROTTLER_SKIP, THROTTLER_TTL } from './throttler-metadata';
import { RateLimitGuard } from './rate-limit.guard';
import { RateLimitPlans } from './rate-limit-plans.service';
import { throttlerOptions } from './throttler-options';
import { MemoryRateLimitStore } from './stores/memory-rate-limit.store';
import { RateLimitStore } from './stores/rate-limit.store';
import { StoreCallPolicy } from './stores/store-call-policy';
import { StoreUnreachableError } from './stores/store-errors';
import { BudgetReservations } from './budgets/budget-reservations';
import { RequestTokenEstimator } from './budgets/request-token-estimator';
import { TokenBudget } from './token-budget.service';

interface FakeReply {
  headers: Record<string, string>;
  header(name: string, value: string): FakeReply;
  raw: EventEmitter;
}

function contextFor(
  req: { principal?: Principal; body?: unknown; headers?: Record<string, string>; apiKey?: object },
  marked = true,
) {
  const handler = () => undefined;
  if (marked) Reflect.defineMetadata(RATE_LIMITED_KEY, true, handler);
  const reply: FakeReply = {
    headers: {},
    header(name, value) {
      this.headers[name] = value;
      return this;
    },
    raw: new EventEmitter(),
  };
  const request = { headers: {}, ...req };
  const ctx = {
    getHandler: () => handler,
    getClass: () => class {},
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
  } as unknown as ExecutionContext;
  return { ctx, reply };
}

const limits = (over: Partial<ConfigType<typeof limitsConfig>> = {}) => ({
  userPerMinute: 3,
  threadPerMinute: 2,
  orgTokensPerMinute: 0,
  failOpen: true,
  cacheTtlSeconds: 0,
  strictParams: false,
  ...over,
});

/** The guard as the module wires it: the gateway's throttler options over the given store. */
async function guard(
  opts: {
    store?: RateLimitStore;
    cfg?: ConfigType<typeof limitsConfig>;
    agents?: AgentRateLimitLookup;
  } = {},
): Promise<RateLimitGuard> {
  const store = opts.store ?? new MemoryRateLimitStore();
  const cfg = opts.cfg ?? limits();
  const policy = new StoreCallPolicy(cfg.failOpen, 100);
  const agents = opts.agents ?? new NoAgentRateLimits();
  const options = throttlerOptions(new RateLimitPlans(cfg, agents));
  const budget = new TokenBudget(cfg, new BudgetReservations(store, policy));
  const g = new RateLimitGuard(
    options,
    store,
    new Reflector(),
    policy,
    budget,
    new RequestTokenEstimator(agents),
  );
  await g.onModuleInit();
  return g;
}

const user = (userId = 'u1'): Principal => ({ userId, orgId: 'o1', scopes: [], via: 'jwt' });

async function outcome(g: RateLimitGuard, ctx: ExecutionContext): Promise<number> {
  try {
    await g.canActivate(ctx);
    return 200;
  } catch (e) {
    return e instanceof AppException ? e.status : 500;
  }
}

describe('RateLimitGuard', () => {
  it('admits exactly the per-user limit of a concurrent burst, with headers on each', async () => {
    const g = await guard();
    const runs = Array.from({ length: 10 }, () => contextFor({ principal: user() }));
    const statuses = await Promise.all(runs.map(({ ctx }) => outcome(g, ctx)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    const admitted = runs.filter((_, i) => statuses[i] === 200);
    expect(admitted.map((r) => r.reply.headers['ratelimit-remaining']).sort()).toEqual([
      '0',
      '1',
      '2',
    ]);
    expect(admitted.every((r) => r.reply.headers['ratelimit-limit'] === '3')).toBe(true);
  });

  it('refuses with 429, Retry-After and the level in the details', async () => {
    const g = await guard();
    for (let i = 0; i < 3; i++) await g.canActivate(contextFor({ principal: user() }).ctx);
    const err = await g
      .canActivate(contextFor({ principal: user() }).ctx)
      .catch((e: unknown) => e as AppException);
    expect(err).toBeInstanceOf(AppException);
    expect((err as AppException).code).toBe(ErrorCode.RATE_LIMITED);
    expect((err as AppException).headers).toMatchObject({
      'retry-after': '60',
      'ratelimit-remaining': '0',
      'ratelimit-limit': '3',
    });
    expect((err as AppException).details).toMatchObject({ level: 'user', limit: 3 });
  });

  it('limits per thread (body thread_id or x-thread-id) after the user limit', async () => {
    const g = await guard({ cfg: limits({ userPerMinute: 100 }) });
    const inThread = (i: number) =>
      i % 2 === 0
        ? contextFor({ principal: user(), body: { thread_id: 't1' } })
        : contextFor({ principal: user(), headers: { 'x-thread-id': 't1' } });
    const statuses = await Promise.all([0, 1, 2, 3, 4].map((i) => outcome(g, inThread(i).ctx)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(2);
    expect(await outcome(g, contextFor({ principal: user(), body: { thread_id: 't2' } }).ctx)).toBe(
      200,
    );
  });

  it("uses an API key's own limit and an agent's overrides", async () => {
    class Agents extends AgentRateLimitLookup {
      async find(_org: string, agentId: string) {
        return agentId === 'slow' ? { per_minute: 1 } : undefined;
      }
    }
    const g = await guard({ agents: new Agents() });
    const keyed = () => contextFor({ principal: user(), apiKey: { id: 'key_1', perMinute: 5 } });
    const statuses = await Promise.all(Array.from({ length: 8 }, () => outcome(g, keyed().ctx)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);

    const slow = () => contextFor({ principal: user('u2'), body: { agent_id: 'slow' } });
    expect(await outcome(g, slow().ctx)).toBe(200);
    expect(await outcome(g, slow().ctx)).toBe(429);
    const viaModel = contextFor({ principal: user('u2'), body: { model: 'agent/slow' } });
    expect(await outcome(g, viaModel.ctx)).toBe(429);
  });

  it('ignores unmarked routes and unauthenticated (public) requests', async () => {
    const g = await guard({ cfg: limits({ userPerMinute: 1 }) });
    for (let i = 0; i < 3; i++) {
      expect(await outcome(g, contextFor({ principal: user() }, false).ctx)).toBe(200);
      expect(await outcome(g, contextFor({}).ctx)).toBe(200);
    }
  });

  describe('when the store fails', () => {
    class DownStore extends MemoryRateLimitStore {
      override increment(): never {
        throw new StoreUnreachableError('redis is reconnecting');
      }
    }
    class FailingStore extends MemoryRateLimitStore {
      override increment(): Promise<never> {
        return Promise.reject(new Error('Connection is closed.'));
      }
    }

    it('admits without headers when the store is unreachable and failing open', async () => {
      const { ctx, reply } = contextFor({ principal: user() });
      expect(await outcome(await guard({ store: new DownStore() }), ctx)).toBe(200);
      expect(reply.headers['ratelimit-limit']).toBeUndefined();
    });

    it('answers 503 when the store is unreachable and failing closed', async () => {
      const g = await guard({ store: new DownStore(), cfg: limits({ failOpen: false }) });
      expect(await outcome(g, contextFor({ principal: user() }).ctx)).toBe(503);
    });

    it('answers 503, never admits, when a sent command failed (it may have been counted)', async () => {
      expect(
        await outcome(
          await guard({ store: new FailingStore() }),
          contextFor({ principal: user() }).ctx,
        ),
      ).toBe(503);
    });
  });

  describe('org token budget', () => {
    const completion = (maxTokens: number) => ({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'x'.repeat(40) }],
      max_tokens: maxTokens,
    });

    it('reserves the estimate before the request counters and refuses once spent', async () => {
      const store = new MemoryRateLimitStore();
      const g = await guard({ store, cfg: limits({ orgTokensPerMinute: 100 }) });
      // 40 chars -> 10 input tokens + 80 max output = 90 reserved.
      const first = contextFor({ principal: user(), body: completion(80) });
      expect(await outcome(g, first.ctx)).toBe(200);
      expect(first.reply.headers['x-ratelimit-remaining-tokens']).toBe('10');
      const second = contextFor({ principal: user(), body: completion(80) });
      expect(await outcome(g, second.ctx)).toBe(200); // 90 < 100: admitted, the one overshoot
      expect(await outcome(g, contextFor({ principal: user(), body: completion(1) }).ctx)).toBe(
        429,
      );
      // The refused request spent no request counter: 2 of 3 are used.
      const usedCounter = await store.increment('rl:{o1}:user:u1', 60_000, 3, 60_000, 'user');
      expect(usedCounter.totalHits).toBe(3);
    });

    it('gives the reservation back when a request limit refuses', async () => {
      const store = new MemoryRateLimitStore();
      const g = await guard({
        store,
        cfg: limits({ orgTokensPerMinute: 1_000, userPerMinute: 1 }),
      });
      expect(await outcome(g, contextFor({ principal: user(), body: completion(90) }).ctx)).toBe(
        200,
      );
      const refused = contextFor({ principal: user(), body: completion(90) });
      expect(await outcome(g, refused.ctx)).toBe(429);
      // Only the admitted request's 100 tokens stay reserved (200 with this one, not 300).
      const other = contextFor({ principal: user('u2'), body: completion(90) });
      expect(await outcome(g, other.ctx)).toBe(200);
      expect(other.reply.headers['x-ratelimit-remaining-tokens']).toBe('800');
    });
  });

  describe('@nestjs/throttler decorators (for routes an extension adds)', () => {
    class Routes {
      @Throttle({ user: { limit: 2, ttl: 60_000 } })
      custom(): void {}

      @RateLimited()
      @SkipThrottle({ thread: true })
      noThreadLimit(): void {}

      @RateLimited()
      @SkipThrottle()
      skipped(): void {}

      plain(): void {}
    }
    const on = (
      handler: keyof Routes,
      req: { principal?: Principal; body?: unknown; headers?: Record<string, string> },
    ) => {
      const { ctx, reply } = contextFor(req, false);
      const routed = {
        ...ctx,
        getHandler: () => Routes.prototype[handler],
        getClass: () => Routes,
        switchToHttp: ctx.switchToHttp,
      } as unknown as ExecutionContext;
      return { ctx: routed, reply };
    };

    it('@Throttle() limits a route of its own, in a bucket of its own', async () => {
      const store = new MemoryRateLimitStore();
      const g = await guard({ store, cfg: limits({ userPerMinute: 0 }) });
      const statuses = [];
      for (let i = 0; i < 4; i++)
        statuses.push(await outcome(g, on('custom', { principal: user() }).ctx));
      expect(statuses).toEqual([200, 200, 429, 429]);
      // The gateway-wide per-user bucket was not touched.
      expect((await store.increment('rl:{o1}:user:u1', 60_000, 3, 60_000, 'user')).totalHits).toBe(
        1,
      );
      const headers = on('custom', { principal: user('u2') });
      await outcome(g, headers.ctx);
      expect(headers.reply.headers['ratelimit-limit']).toBe('2');
    });

    it('@SkipThrottle({ thread: true }) skips one level, a bare @SkipThrottle() all of them', async () => {
      const g = await guard({ cfg: limits({ userPerMinute: 100, threadPerMinute: 1 }) });
      const inThread = { principal: user(), body: { thread_id: 't1' } };
      expect(await outcome(g, on('noThreadLimit', inThread).ctx)).toBe(200);
      expect(await outcome(g, on('noThreadLimit', inThread).ctx)).toBe(200);
      const tight = await guard({ cfg: limits({ userPerMinute: 1 }) });
      for (let i = 0; i < 3; i++) {
        expect(await outcome(tight, on('skipped', { principal: user() }).ctx)).toBe(200);
      }
    });

    it('leaves routes with neither @RateLimited() nor @Throttle() alone', async () => {
      const g = await guard({ cfg: limits({ userPerMinute: 1 }) });
      for (let i = 0; i < 3; i++) {
        expect(await outcome(g, on('plain', { principal: user() }).ctx)).toBe(200);
      }
    });

    it("reads the package's own metadata keys", () => {
      const meta = (key: string, handler: keyof Routes) =>
        Reflect.getMetadata(key, Routes.prototype[handler]) as unknown;
      expect(meta(`${THROTTLER_LIMIT}user`, 'custom')).toBe(2);
      expect(meta(`${THROTTLER_TTL}user`, 'custom')).toBe(60_000);
      expect(meta(`${THROTTLER_SKIP}thread`, 'noThreadLimit')).toBe(true);
      expect(meta(`${THROTTLER_SKIP}default`, 'skipped')).toBe(true);
    });
  });
});
