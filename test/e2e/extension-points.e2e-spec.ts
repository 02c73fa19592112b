import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SkipThrottle, Throttle } from '@nestjs/throttler';
import { rmSync } from 'node:fs';
import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { AppModule } from '../../src/app.module';
import type { Principal } from '../../src/common/auth/principal';
import { CurrentPrincipal } from '../../src/common/decorators';
import { GatewayStrategy, RequestStrategy } from '../../src/modules/auth';
import { RateLimited } from '../../src/modules/throttling';
import { callJson, type JsonCall } from '../support/json';
import { authHeaders, prepareTestEnv, signToken } from '../support/test-app';

/**
 * What an internal team extending the gateway writes, in one extra module: a passport strategy
 * made with GatewayStrategy (here: a trusted-proxy header standing in for mTLS or OIDC) and
 * routes limited with @nestjs/throttler's own decorators. Booted with the whole gateway and
 * exercised over HTTP.
 */
@Injectable()
class ProxyHeaderStrategy extends GatewayStrategy(RequestStrategy, 'proxy-header', 30) {
  validate(req: FastifyRequest): Principal | null {
    const user = req.headers['x-proxy-user'];
    if (typeof user !== 'string') return null; // not ours: the next strategy tries
    return { userId: user, orgId: 'proxy-org', scopes: [], via: 'jwt' };
  }
}

@Controller('ext')
class ExtensionController {
  @Get('whoami')
  whoami(@CurrentPrincipal() p: Principal): Principal {
    return p;
  }

  @Get('throttled')
  @Throttle({ user: { limit: 2, ttl: 60_000 } })
  throttled(): { ok: true } {
    return { ok: true };
  }

  @Get('unlimited')
  @RateLimited()
  @SkipThrottle()
  unlimited(): { ok: true } {
    return { ok: true };
  }
}

@Module({ controllers: [ExtensionController], providers: [ProxyHeaderStrategy] })
class ExtensionModule {}

describe('extension points: GatewayStrategy, @Throttle and @SkipThrottle (real HTTP)', () => {
  let app: NestFastifyApplication;
  let url: string;
  let dataDir: string;

  beforeAll(async () => {
    const prepared = prepareTestEnv({ RATE_LIMIT_USER_PER_MINUTE: '1' });
    dataDir = prepared.dataDir;
    @Module({ imports: [AppModule.forRoot(prepared.parsed), ExtensionModule] })
    class Root {}
    app = await NestFactory.create<NestFastifyApplication>(Root, new FastifyAdapter(), {
      logger: false,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    url = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const get = (path: string, headers: Record<string, string>) =>
    callJson(url, 'GET', path, headers);

  it('authenticates with an extension strategy after the built-in ones', async () => {
    const res = await get('/ext/whoami', { 'x-proxy-user': 'carol' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ userId: 'carol', orgId: 'proxy-org' });
    // The built-ins still come first, and a request nobody claims is a 401 in the envelope.
    const jwt = await get('/ext/whoami', authHeaders(signToken({ sub: 'dave' })));
    expect(jwt.body).toMatchObject({ userId: 'dave' });
    const none = await get('/ext/whoami', {});
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ success: false, error: { code: 'UNAUTHENTICATED' } });
  });

  it('limits a route with @Throttle() in its own bucket, with the gateway headers and 429', async () => {
    const headers = authHeaders(signToken({ sub: `t-${randomUUID()}` }));
    const statuses: number[] = [];
    let last: JsonCall | undefined;
    for (let i = 0; i < 3; i++) {
      last = await get('/ext/throttled', headers);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(last!.headers.get('retry-after')).toBeTruthy();
    expect(last!.body).toMatchObject({
      success: false,
      error: { code: 'RATE_LIMITED', details: { level: 'user', limit: 2 } },
    });
  });

  it('lets @SkipThrottle() switch the limits of a @RateLimited() route off', async () => {
    const headers = authHeaders(signToken({ sub: `s-${randomUUID()}` }));
    for (let i = 0; i < 3; i++) {
      const res = await get('/ext/unlimited', headers);
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBeNull();
    }
  });
});
