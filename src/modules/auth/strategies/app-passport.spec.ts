import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import globalPassport from 'passport';
import type { Strategy } from 'passport-strategy';
import type { Principal } from '../../../common/auth/principal';
import { AppException, ErrorCode } from '../../../common/errors';
import { AuthGuard } from '../auth.guard';
import { AppPassport } from './app-passport';
import { GatewayStrategy, gatewayStrategyInfo } from './gateway-strategy';
import { RequestStrategy } from './request-strategy';

const principal = (userId: string): Principal => ({ userId, orgId: 'o', scopes: [], via: 'jwt' });

/** A strategy as an extension would write one: it answers for its own header, after a delay. */
class HeaderStrategy extends GatewayStrategy(RequestStrategy, 'header', 30) {
  constructor(private readonly tenant: string) {
    super();
  }

  async validate(req: FastifyRequest): Promise<Principal | null> {
    const who = req.headers['x-test-user'];
    if (typeof who !== 'string') return null;
    // Verification that takes a while, so concurrent requests interleave.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
    if (who === 'broken') throw new AppException(ErrorCode.SERVICE_UNAVAILABLE, 'store down');
    return principal(`${this.tenant}:${who}`);
  }
}

/** Another one, earlier in the chain, that never answers for anything. */
class NeverStrategy extends GatewayStrategy(RequestStrategy, 'never', 5) {
  calls = 0;
  validate(): null {
    this.calls++;
    return null;
  }
}

function contextFor(headers: Record<string, string>) {
  const req = { headers } as unknown as FastifyRequest;
  const ctx = {
    getHandler: () => () => undefined,
    getClass: () => class {},
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => ({}) }),
  } as unknown as ExecutionContext;
  return { ctx, req };
}

function appWith(...strategies: Strategy[]) {
  const passport = new AppPassport();
  for (const s of strategies) passport.register(s);
  return { passport, guard: new AuthGuard(new Reflector(), passport) };
}

describe('AppPassport and GatewayStrategy', () => {
  it('tries strategies in their order, and an extension needs no bearer credential', async () => {
    const never = new NeverStrategy();
    const { passport, guard } = appWith(new HeaderStrategy('a'), never);
    expect(passport.strategies).toEqual(['never', 'header']);
    const { ctx, req } = contextFor({ 'x-test-user': 'ann' });
    await expect(guard.canActivate(ctx)).resolves.toBe(true);
    expect(req.principal).toEqual(principal('a:ann'));
    expect(never.calls).toBe(1);
  });

  it('answers 401 (missing credentials) when no strategy claims the request', async () => {
    const { guard } = appWith(new HeaderStrategy('a'));
    const err = await guard.canActivate(contextFor({}).ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppException);
    expect((err as AppException).code).toBe(ErrorCode.UNAUTHENTICATED);
    expect((err as AppException).message).toMatch(/Missing credentials/);
  });

  it("stops at a strategy's own error and keeps its status", async () => {
    const { guard } = appWith(new HeaderStrategy('a'));
    const err = await guard
      .canActivate(contextFor({ 'x-test-user': 'broken' }).ctx)
      .catch((e: unknown) => e);
    expect((err as AppException).code).toBe(ErrorCode.SERVICE_UNAVAILABLE);
  });

  it("leaves passport's process-wide registry alone", () => {
    new HeaderStrategy('a');
    new NeverStrategy();
    const registry = globalPassport as unknown as { _strategy(name: string): unknown };
    expect(typeof registry._strategy).toBe('function');
    expect(registry._strategy('header')).toBeUndefined();
    expect(registry._strategy('never')).toBeUndefined();
    expect(gatewayStrategyInfo(new NeverStrategy())).toEqual({ name: 'never', order: 5 });
    expect(() => new AppPassport().register({} as never)).toThrow(/GatewayStrategy/);
  });

  it("answers from the first strategy's recognise() without running the chain, and only then", async () => {
    class Remembering extends GatewayStrategy(RequestStrategy, 'remembering', 1) {
      runs = 0;
      recognise(req: FastifyRequest): Principal | undefined {
        return req.headers['x-known'] === 'yes' ? principal('known') : undefined;
      }
      validate(req: FastifyRequest): Principal | null {
        this.runs++;
        return req.headers['x-known'] === 'no' ? principal('verified') : null;
      }
    }
    const remembering = new Remembering();
    const { guard } = appWith(remembering, new HeaderStrategy('a'));
    const known = contextFor({ 'x-known': 'yes' });
    await guard.canActivate(known.ctx);
    expect(known.req.principal).toEqual(principal('known'));
    expect(remembering.runs).toBe(0);
    const verified = contextFor({ 'x-known': 'no' });
    await guard.canActivate(verified.ctx);
    expect(verified.req.principal).toEqual(principal('verified'));
    expect(remembering.runs).toBe(1);
  });

  it('keeps two apps in one process apart, under interleaved concurrent requests', async () => {
    // Same strategy class and name in both apps, bound to different tenants: what two gateway
    // instances in one test process are. Each request must be answered by its own app's strategy.
    const a = appWith(new HeaderStrategy('a'));
    const b = appWith(new HeaderStrategy('b'));
    const runs = Array.from({ length: 200 }, (_, i) => {
      const app = i % 2 === 0 ? a : b;
      const { ctx, req } = contextFor({ 'x-test-user': `u${i}` });
      return app.guard.canActivate(ctx).then(() => ({ i, req }));
    });
    const results = await Promise.all(runs);
    const wrong = results.filter(
      ({ i, req }) => req.principal?.userId !== `${i % 2 === 0 ? 'a' : 'b'}:u${i}`,
    );
    expect(wrong).toEqual([]);
  });
});
