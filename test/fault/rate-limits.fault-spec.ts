import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/server';
import { withinOneWindow } from '../support/clock-window';
import { buildIfNeeded, startChildGateway, type ChildGateway } from '../support/child-gateway';
import { describeWithServices, SERVICE_URLS } from '../support/services';
import { signToken } from '../support/test-app';

/**
 * Issue 15, item 6 ("limits that give way"), replayed: two gateway processes sharing the real
 * Redis, bursts large enough to lag their event loops, the mock upstream as the provider.
 * Before the fix a 500 ms store deadline fired under that lag and fail-open admitted requests
 * Redis had counted (290 and 1,776 of 2,000 admitted at a limit of 100), and 500 concurrent
 * requests all passed a 1,000-token budget (+798 %).
 */
const USER_LIMIT = 100;
const PER_INSTANCE = 1_000;
const TOKEN_BUDGET = 10_000;

interface Outcome {
  status: number;
  /** The error code of a refusal (OpenAI shape on /v1), for telling refusals apart. */
  code?: string;
  tokens: number;
  instance: number;
}

async function complete(
  url: string,
  token: string,
  body: object,
  instance: number,
): Promise<Outcome> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(120_000),
  });
  const json = (await res.json()) as {
    usage?: { total_tokens?: number };
    error?: { code?: string; message?: string };
  };
  return {
    status: res.status,
    code: json.error?.code ?? undefined,
    tokens: json.usage?.total_tokens ?? 0,
    instance,
  };
}

const count = (outcomes: Outcome[], pred: (o: Outcome) => boolean) => outcomes.filter(pred).length;
/** Responses per status (and error code), e.g. { 200: 100, '429 rate_limited': 1900 }. */
const statusesOf = (outcomes: Outcome[]) => {
  const counts: Record<string, number> = {};
  for (const o of outcomes) {
    const key = o.code ? `${o.status} ${o.code}` : String(o.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
};

describeWithServices(
  ['REDIS_URL', 'DATABASE_URL'],
  'rate limits under bursts (two processes, real Redis)',
  () => {
    let mock: MockUpstream;
    const gateways: ChildGateway[] = [];
    let redisProxy: LatencyProxy | undefined;

    const envFor = (redisUrl: string) => ({
      REDIS_URL: redisUrl,
      DATABASE_URL: SERVICE_URLS.DATABASE_URL!,
      OPENAI_BASE_URL: `${mock.url}/v1`,
      RATE_LIMIT_USER_PER_MINUTE: String(USER_LIMIT),
      RATE_LIMIT_THREAD_PER_MINUTE: '0',
      RATE_LIMIT_ORG_TOKENS_PER_MINUTE: String(TOKEN_BUDGET),
    });

    beforeAll(async () => {
      buildIfNeeded();
      mock = await startMockUpstream();
      // Instance 0 reaches Redis straight; instance 1 through a proxy that can add latency.
      const target = new URL(SERVICE_URLS.REDIS_URL!);
      redisProxy = await LatencyProxy.start(target.hostname, Number(target.port || 6379));
      const viaProxy = new URL(SERVICE_URLS.REDIS_URL!);
      viaProxy.host = `127.0.0.1:${redisProxy.port}`;
      // One after the other: two first boots on an empty database race on its migrations.
      gateways.push(await startChildGateway(envFor(SERVICE_URLS.REDIS_URL!)));
      gateways.push(await startChildGateway(envFor(viaProxy.toString())));
    }, 300_000);

    afterAll(async () => {
      await Promise.all(gateways.map((g) => g.stop()));
      await redisProxy?.close();
      await mock?.close();
    }, 60_000);

    /** `perInstance` concurrent requests on each instance, all started before any is awaited. */
    const burst = (
      perInstance: number,
      send: (url: string, i: number, instance: number) => Promise<Outcome>,
    ) =>
      Promise.all(
        Array.from({ length: perInstance * gateways.length }, (_, i) => {
          const instance = i % gateways.length;
          return send(gateways[instance].url, i, instance);
        }),
      );

    const small = (maxTokens: number) => ({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'x'.repeat(40) }],
      max_tokens: maxTokens,
    });

    it(`admits exactly ${USER_LIMIT} of ${2 * PER_INSTANCE} concurrent requests of one user over both instances`, async () => {
      const token = signToken({ sub: `burst-${randomUUID()}`, org_id: `org-${randomUUID()}` });
      const outcomes = await burst(PER_INSTANCE, (url, _i, instance) =>
        complete(url, token, small(16), instance),
      );
      const statuses = statusesOf(outcomes);
      expect(statuses).toEqual({
        200: USER_LIMIT,
        '429 rate_limited': 2 * PER_INSTANCE - USER_LIMIT,
      });
      // The counter is shared: both instances refused some.
      for (const instance of [0, 1]) {
        expect(count(outcomes, (o) => o.instance === instance && o.status === 429)).toBeGreaterThan(
          0,
        );
      }
    }, 300_000);

    it('stays exact when one instance reaches Redis with 300 ms of added latency (slow is not down)', async () => {
      await redisProxy!.setLatency(300);
      try {
        const token = signToken({ sub: `slow-${randomUUID()}`, org_id: `org-${randomUUID()}` });
        const outcomes = await burst(PER_INSTANCE / 2, (url, _i, instance) =>
          complete(url, token, small(16), instance),
        );
        expect(statusesOf(outcomes)).toEqual({
          200: USER_LIMIT,
          '429 rate_limited': PER_INSTANCE - USER_LIMIT,
        });
      } finally {
        await redisProxy!.setLatency(0);
      }
    }, 300_000);

    it(`keeps a ${TOKEN_BUDGET}-token org budget within one estimate under 500 concurrent requests`, async () => {
      await withinOneWindow(); // the budget is per clock minute: no reset mid-burst
      const org = `org-${randomUUID()}`;
      // 400 characters -> 100 input tokens, plus max_tokens 150: an estimate of 250 per request.
      // The mock answers with 100 + 102 = 202 tokens, so the budget fits ~50 answers, not 500;
      // each settlement gives 48 tokens back, which later requests of the burst may take.
      const estimate = 100 + 150;
      const body = {
        model: 'openai/gpt-4o-mini',
        messages: [{ role: 'user', content: 'x'.repeat(400) }],
        max_tokens: 150,
      };
      const outcomes = await burst(250, (url, i, instance) =>
        // One user per request: only the token budget can refuse.
        complete(url, signToken({ sub: `u-${i}`, org_id: org }), body, instance),
      );
      const admitted = outcomes.filter((o) => o.status === 200);
      const used = admitted.reduce((sum, o) => sum + o.tokens, 0);
      expect(count(outcomes, (o) => o.status === 200 || o.status === 429)).toBe(500);
      expect(admitted.every((o) => o.tokens > 0 && o.tokens <= estimate)).toBe(true);
      // Never more than one request's estimate over the budget...
      expect(used).toBeLessThanOrEqual(TOKEN_BUDGET + estimate);
      // ...and the budget really was what refused: a refusal means the reservations of the
      // requests admitted so far (at most one estimate each) had filled it.
      expect(count(outcomes, (o) => o.status === 429)).toBeGreaterThan(0);
      expect(admitted.length).toBeGreaterThanOrEqual(Math.ceil(TOKEN_BUDGET / estimate));
      // One budget, shared: both instances refused once it was spent.
      for (const instance of [0, 1]) {
        expect(count(outcomes, (o) => o.instance === instance && o.status === 429)).toBeGreaterThan(
          0,
        );
      }
    }, 300_000);
  },
);

/** The latency proxy (support/latency-proxy.mjs) as its own process, controlled over IPC. */
class LatencyProxy {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(host: string, port: number): Promise<LatencyProxy> {
    const child = spawn(
      process.execPath,
      [path.join(__dirname, 'support', 'latency-proxy.mjs'), host, String(port)],
      { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
    );
    const listening = await new Promise<number>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`latency proxy exited (${code})`)));
      child.stdout!.once('data', (d: Buffer) =>
        resolve((JSON.parse(d.toString()) as { port: number }).port),
      );
    });
    return new LatencyProxy(child, listening);
  }

  /** Resolves once the proxy applies the new latency. */
  setLatency(latencyMs: number): Promise<void> {
    return new Promise((resolve) => {
      this.child.once('message', () => resolve());
      this.child.send({ latencyMs });
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
