import { randomUUID } from 'node:crypto';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { TokenBudget } from '../../src/modules/throttling';
import { STORE_TIMEOUT_MS } from '../../src/modules/throttling/stores/store-call-policy';
import { describeWithServices, SERVICE_URLS } from '../support/services';
import { authHeaders, signToken, startTestApp, type TestApp } from '../support/test-app';

/** Typed readers for response bodies (fetch's json() is unknown). */
interface ErrorJson {
  code: string;
  message: string;
  type?: string;
  details?: { level?: string; limit?: number };
}
const errorOf = async (res: Response): Promise<ErrorJson> =>
  ((await res.json()) as { error: ErrorJson }).error;

const AGENT_ROUTE = '/api/v2/model/chat/completion';
const BODY = JSON.stringify({ agent_id: 'a', user: 'hi' });

const post = (t: TestApp, token: string) =>
  fetch(`${t.url}${AGENT_ROUTE}`, { method: 'POST', headers: authHeaders(token), body: BODY });

/** Sends requests concurrently, spread round-robin over the apps; returns the statuses. */
async function burst(apps: TestApp[], n: number, token: string): Promise<Response[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => post(apps[i % apps.length], token)));
}

/** Polls readiness until every dependency (Redis included) is up: the client connects async. */
async function untilReady(t: TestApp): Promise<TestApp> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await fetch(`${t.url}/health/ready`);
    if (res.status === 200) return t;
    if (Date.now() > deadline) throw new Error(`not ready: ${await res.text()}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function storeErrors(t: TestApp): Promise<number> {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('gateway_rate_limit_store_errors_total'))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

describeWithServices(['REDIS_URL'], 'rate limits on Redis', () => {
  const LIMIT = 6;

  describe('one instance', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await untilReady(
        await startTestApp({
          REDIS_URL: SERVICE_URLS.REDIS_URL,
          RATE_LIMIT_USER_PER_MINUTE: String(LIMIT),
          // Large enough that the request-limit bursts (each reserving ~4k tokens) never reach it.
          RATE_LIMIT_ORG_TOKENS_PER_MINUTE: '1000000',
        }),
      );
    });
    afterAll(async () => {
      await t?.close();
    });

    it('admits exactly N of a concurrent burst, with RateLimit headers and Retry-After', async () => {
      const token = signToken({ sub: `redis-${randomUUID()}` });
      const responses = await burst([t], 25, token);
      const limited = responses.filter((r) => r.status === 429);
      expect(responses.length - limited.length).toBe(LIMIT);
      for (const r of responses) expect(r.headers.get('ratelimit-limit')).toBe(String(LIMIT));
      for (const r of limited) {
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
        expect((await errorOf(r)).code).toBe('RATE_LIMITED');
      }
    });

    it('reserves the org token budget in Redis and refuses once it is spent', async () => {
      const org = `org-${randomUUID()}`;
      const token = signToken({ sub: `tokens-${randomUUID()}`, org_id: org });
      // "hi" -> 1 input token, plus the configured max_tokens 10: 11 tokens reserved (and given
      // back when the request ends: agent "a" does not exist).
      const first = await fetch(`${t.url}${AGENT_ROUTE}`, {
        method: 'POST',
        headers: authHeaders(token),
        body: JSON.stringify({ agent_id: 'a', user: 'hi', configuration: { max_tokens: 10 } }),
      });
      expect(first.headers.get('x-ratelimit-limit-tokens')).toBe('1000000');
      expect(first.headers.get('x-ratelimit-remaining-tokens')).toBe('999989');
      await t.app.get(TokenBudget).consume(org, 1_000_000);
      const refused = await post(t, token);
      expect(refused.status).toBe(429);
      expect((await errorOf(refused)).details).toMatchObject({ level: 'org_tokens' });
    });
  });

  describe('two instances sharing Redis', () => {
    let a: TestApp;
    let b: TestApp;
    beforeAll(async () => {
      // At the same time: each app is configured from the env it is given, not process.env.
      const env = { REDIS_URL: SERVICE_URLS.REDIS_URL, RATE_LIMIT_USER_PER_MINUTE: String(LIMIT) };
      [a, b] = await Promise.all([
        startTestApp(env).then(untilReady),
        startTestApp(env).then(untilReady),
      ]);
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
    });

    it('admits exactly N in total of a burst spread over both', async () => {
      const token = signToken({ sub: `shared-${randomUUID()}` });
      const responses = await burst([a, b], 30, token);
      const admitted = responses.filter((r) => r.status !== 429);
      expect(admitted).toHaveLength(LIMIT);
      // Both instances refused some: the counter is shared, not per instance.
      const refusedBy = (app: TestApp) =>
        responses.filter((r, i) => r.status === 429 && i % 2 === (app === a ? 0 : 1)).length;
      expect(refusedBy(a)).toBeGreaterThan(0);
      expect(refusedBy(b)).toBeGreaterThan(0);
    });
  });

  describe('Redis that stops answering', () => {
    let proxy: StallingProxy;
    let t: TestApp;
    beforeAll(async () => {
      const target = new URL(SERVICE_URLS.REDIS_URL!);
      proxy = await StallingProxy.start(target.hostname, Number(target.port || 6379));
      t = await untilReady(
        await startTestApp({
          REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
          RATE_LIMIT_USER_PER_MINUTE: '2',
        }),
      );
    });
    afterAll(async () => {
      proxy?.resume();
      await t?.close();
      await proxy?.close();
    });

    it('is limited normally, then refuses with 503 (never admits) while Redis does not answer', async () => {
      const token = signToken({ sub: `stall-${randomUUID()}` });
      const statuses = (await burst([t], 3, token)).map((r) => r.status);
      expect(statuses.filter((s) => s === 429)).toHaveLength(1);

      const errorsBefore = await storeErrors(t);
      proxy.stall();
      const started = Date.now();
      const res = await fetch(`${t.url}${AGENT_ROUTE}`, {
        method: 'POST',
        headers: authHeaders(token),
        body: BODY,
        signal: AbortSignal.timeout(15_000),
      });
      // Bounded by the store deadline (lag-tolerant, at most 4x STORE_TIMEOUT_MS).
      expect(Date.now() - started).toBeLessThan(4 * STORE_TIMEOUT_MS + 1000);
      // The command was sent and may be counted when Redis wakes up: slow is not down, so
      // fail-open does not apply; the request is refused, not admitted past the limit.
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect((await errorOf(res)).code).toBe('SERVICE_UNAVAILABLE');
      proxy.resume();
      expect(await storeErrors(t)).toBeGreaterThan(errorsBefore);
    });
  });
});

/**
 * A TCP proxy in front of the real Redis that can stop passing the app's commands on (they
 * wait in the socket buffer, as with a frozen server) and later deliver them in order.
 */
class StallingProxy {
  private readonly links = new Map<Socket, Socket>();
  private stalled = false;
  private server: Server | undefined;
  port = 0;

  static async start(host: string, port: number): Promise<StallingProxy> {
    const proxy = new StallingProxy();
    proxy.server = createServer((client) => proxy.accept(client, host, port));
    await new Promise<void>((resolve) => proxy.server!.listen(0, '127.0.0.1', resolve));
    proxy.port = (proxy.server.address() as AddressInfo).port;
    return proxy;
  }

  stall(): void {
    this.stalled = true;
    for (const [client, upstream] of this.links) client.unpipe(upstream);
  }

  resume(): void {
    if (!this.stalled) return;
    this.stalled = false;
    for (const [client, upstream] of this.links) client.pipe(upstream);
  }

  async close(): Promise<void> {
    for (const [client, upstream] of this.links) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private accept(client: Socket, host: string, port: number): void {
    const upstream = createConnection({ host, port });
    this.links.set(client, upstream);
    upstream.pipe(client);
    if (!this.stalled) client.pipe(upstream);
    const drop = () => {
      this.links.delete(client);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) socket.on('error', drop).on('close', drop);
  }
}
