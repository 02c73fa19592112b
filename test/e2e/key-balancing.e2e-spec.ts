/**
 * Several provider keys per service, balanced by weight, through the real HTTP API and the mock
 * upstream (which records the key each request presented and fails chosen keys): deployment
 * pools from `<SERVICE>_API_KEYS` and org pools from `/api/v1/provider-keys`.
 */
import { randomUUID } from 'node:crypto';
import type OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/server';
import { mockBaseUrls } from '../support/gateway-with-mock';
import { authHeaders, signToken, startTestApp, type TestApp } from '../support/test-app';
import OpenAIClient from 'openai';

const run = randomUUID().slice(0, 8);
/** Keys unique to this run, so the mock's per-key records never mix runs. */
const k = (name: string) => `sk-${name}-${run}-0123456789`;

const pool = (...members: Array<{ key: string; weight?: number; name?: string }>) =>
  JSON.stringify(members);

/** The share of `n` calls each key of `keys` received (from the mock's records). */
function landed(mock: MockUpstream, keys: string[], since: number) {
  return keys.map(
    (key) =>
      mock.requests({ credential: key }).filter((r) => r.at >= since && r.status === 200).length,
  );
}

/** `n` chat calls through the gateway, `concurrency` at a time; every one must succeed. */
async function calls(client: OpenAI, model: string, n: number, concurrency = 8): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next += 1;
        try {
          await client.chat.completions.create({
            model,
            messages: [{ role: 'user', content: 'hi' }],
            max_tokens: 5,
          });
        } catch (e) {
          failures.push(e);
        }
      }
    }),
  );
  expect(failures).toEqual([]);
}

/**
 * Within 5 % of the weights' shares. The 1,000-call cases get a long timeout: a timeout is not
 * a timing assertion, and a loaded CI machine takes tens of seconds for them.
 */
function expectShares(counts: number[], weights: number[]): void {
  const total = counts.reduce((a, b) => a + b, 0);
  const wsum = weights.reduce((a, b) => a + b, 0);
  counts.forEach((c, i) => {
    expect(Math.abs(c / total - weights[i] / wsum)).toBeLessThanOrEqual(0.05);
  });
}

describe('several keys per service, balanced by weight (deployment and org pools)', () => {
  let mock: MockUpstream;
  /** Long cooldowns: a failed key stays out for the whole test, so counts are exact. */
  let gw: TestApp;
  const sdk = (url: string, org: string, scopes: string[] = []) =>
    new OpenAIClient({
      baseURL: `${url}/v1`,
      apiKey: signToken({ org_id: org, scopes }),
      maxRetries: 0,
    });

  const OPENAI = [k('light'), k('heavy')];
  const GROQ = [k('g1'), k('g2'), k('g3')];
  const MISTRAL = [k('m-good'), k('m-bad')];
  const GEMINI = [k('ge-good'), k('ge-bad')];
  const OPENROUTER = [k('or-a'), k('or-b')];

  beforeAll(async () => {
    mock = await startMockUpstream({ maxRecorded: 50_000 });
    gw = await startTestApp({
      ...mockBaseUrls(mock.url),
      OPENAI_API_KEYS: pool(
        { key: OPENAI[0], weight: 1, name: 'light' },
        { key: OPENAI[1], weight: 3, name: 'heavy' },
      ),
      GROQ_API_KEYS: pool(
        { key: GROQ[0] },
        { key: GROQ[1], weight: 1 },
        { key: GROQ[2], weight: 2 },
      ),
      MISTRAL_API_KEYS: pool({ key: MISTRAL[0] }, { key: MISTRAL[1] }),
      GEMINI_API_KEYS: pool({ key: GEMINI[0] }, { key: GEMINI[1] }),
      OPENROUTER_API_KEYS: pool({ key: OPENROUTER[0] }, { key: OPENROUTER[1] }),
      PROVIDER_KEY_COOLDOWN_MS: '600000',
      PROVIDER_KEY_COOLDOWN_MAX_MS: '600000',
      RATE_LIMIT_USER_PER_MINUTE: '100000',
      RATE_LIMIT_THREAD_PER_MINUTE: '100000',
    });
  });
  afterAll(async () => {
    await gw?.close();
    await mock?.close();
  });

  it('spreads 1,000 calls 1:3 over two keys, within 5 % (smooth round-robin: exactly)', async () => {
    const since = Date.now();
    await calls(sdk(gw.url, `org-w13-${run}`), 'openai/gpt-4o-mini', 1000);
    const counts = landed(mock, OPENAI, since);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1000);
    expectShares(counts, [1, 3]);
  }, 240_000);

  it('spreads 1,000 calls 1:1:2 over three keys, within 5 %', async () => {
    const since = Date.now();
    await calls(sdk(gw.url, `org-w112-${run}`), 'groq/llama-3.3-70b-versatile', 1000);
    const counts = landed(mock, GROQ, since);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1000);
    expectShares(counts, [1, 1, 2]);
  }, 240_000);

  it.each([
    [
      '429 with Retry-After',
      'mistral/mistral-small-latest',
      MISTRAL,
      { status: 429, retry_after: 3600 },
    ],
    ['500', 'gemini/gemini-2.5-flash', GEMINI, { status: 500 }],
    ['401', 'openrouter/openai/gpt-4o-mini', OPENROUTER.slice().reverse(), { status: 401 }],
  ] as const)(
    'a key answering %s cools down and the other takes its share, with no client-visible error',
    async (_what, model, [good, bad], failure) => {
      mock.failCredential(bad, failure);
      try {
        await calls(sdk(gw.url, `org-fail-${run}`), model, 40, 1);
        // The failing key was tried once, cooled down and skipped from then on.
        expect(mock.requests({ credential: bad }).map((r) => r.status)).toEqual([failure.status]);
        expect(mock.requests({ credential: good }).filter((r) => r.status === 200)).toHaveLength(
          40,
        );
      } finally {
        mock.restoreCredential(bad);
      }
    },
  );

  it('names deployment keys in /metrics by name, never by the key', async () => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).toMatch(
      /gateway_provider_key_calls_total\{service="openai",key_name="heavy",outcome="success"\} (\d+)/,
    );
    expect(text).toMatch(
      /gateway_provider_key_cooldowns_total\{service="mistral",key_name="key[12]"\} 1/,
    );
    for (const key of [...OPENAI, ...GROQ, ...MISTRAL]) expect(text).not.toContain(key);
  });

  describe('org pools', () => {
    const orgA = `org-pool-a-${run}`;
    const orgB = `org-pool-b-${run}`;
    const admin = (org: string) => authHeaders(signToken({ org_id: org, scopes: ['admin'] }));
    const ORG_KEYS = [k('org-one'), k('org-three')];

    async function addKey(org: string, body: object): Promise<string> {
      const res = await fetch(`${gw.url}/api/v1/provider-keys`, {
        method: 'POST',
        headers: admin(org),
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(201);
      const text = await res.text();
      for (const key of ORG_KEYS) expect(text).not.toContain(key);
      return (JSON.parse(text) as { data: { id: string } }).data.id;
    }

    it("spreads an org's calls over its own keys by weight; another org never uses them", async () => {
      await addKey(orgA, { service: 'openai', api_key: ORG_KEYS[0], weight: 1, name: 'one' });
      await addKey(orgA, { service: 'openai', api_key: ORG_KEYS[1], weight: 3, name: 'three' });
      const since = Date.now();
      await calls(sdk(gw.url, orgA), 'openai/gpt-4o-mini', 400);
      const counts = landed(mock, ORG_KEYS, since);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(400);
      expectShares(counts, [1, 3]);
      // The deployment's keys were not used for org A meanwhile.
      expect(landed(mock, OPENAI, since).reduce((a, b) => a + b, 0)).toBe(0);

      const sinceB = Date.now();
      await calls(sdk(gw.url, orgB), 'openai/gpt-4o-mini', 20);
      expect(landed(mock, ORG_KEYS, sinceB)).toEqual([0, 0]);
      expect(landed(mock, OPENAI, sinceB).reduce((a, b) => a + b, 0)).toBe(20);

      // Per-key metrics keep org keys anonymous: one `org` label, no key, no org id.
      const text = await (await fetch(`${gw.url}/metrics`)).text();
      expect(text).toMatch(
        /gateway_provider_key_calls_total\{service="openai",key_name="org",outcome="success"\} 400/,
      );
      expect(text).not.toContain(orgA);
      for (const key of ORG_KEYS) expect(text).not.toContain(key);
    });

    it('keeps keys out of the error a client sees when every key of the pool is refused', async () => {
      const org = `org-pool-refused-${run}`;
      const keys = [k('refused-a'), k('refused-b')];
      await addKey(org, { service: 'anthropic', api_key: keys[0] });
      await addKey(org, { service: 'anthropic', api_key: keys[1], weight: 2 });
      for (const key of keys) mock.failCredential(key, { status: 401 });
      try {
        const res = await fetch(`${gw.url}/v1/chat/completions`, {
          method: 'POST',
          headers: authHeaders(signToken({ org_id: org })),
          body: JSON.stringify({
            model: 'anthropic/claude-sonnet-4-5',
            messages: [{ role: 'user', content: 'hi' }],
            max_tokens: 5,
          }),
        });
        expect(res.status).toBeGreaterThanOrEqual(400);
        const text = await res.text();
        for (const key of keys) expect(text).not.toContain(key);
        // Both keys were tried once each, within the one call.
        expect(keys.map((key) => mock.requests({ credential: key }).length)).toEqual([1, 1]);
      } finally {
        for (const key of keys) mock.restoreCredential(key);
      }
    });
  });
});

describe('a cooled-down key gets its traffic back (short cooldowns, polled, no sleeps)', () => {
  let mock: MockUpstream;
  let gw: TestApp;
  const KEYS = [k('r-steady'), k('r-flaky')];

  beforeAll(async () => {
    mock = await startMockUpstream({ maxRecorded: 50_000 });
    gw = await startTestApp({
      ...mockBaseUrls(mock.url),
      OPENAI_API_KEYS: pool({ key: KEYS[0] }, { key: KEYS[1] }),
      PROVIDER_KEY_COOLDOWN_MS: '50',
      PROVIDER_KEY_COOLDOWN_MAX_MS: '50',
      RATE_LIMIT_USER_PER_MINUTE: '100000',
      RATE_LIMIT_THREAD_PER_MINUTE: '100000',
    });
  });
  afterAll(async () => {
    await gw?.close();
    await mock?.close();
  });

  it('routes around a failing key, then balances 1:1 again once it answers', async () => {
    const client = new OpenAIClient({
      baseURL: `${gw.url}/v1`,
      apiKey: signToken({ org_id: `org-recover-${run}` }),
      maxRetries: 0,
    });
    mock.failCredential(KEYS[1], { status: 503 });
    await calls(client, 'openai/gpt-4o-mini', 20, 1);
    expect(mock.requests({ credential: KEYS[1] }).every((r) => r.status === 503)).toBe(true);
    expect(mock.requests({ credential: KEYS[1] }).length).toBeGreaterThanOrEqual(1);
    mock.restoreCredential(KEYS[1]);

    // Poll: calls until the flaky key has served one again (its cooldown ended); bounded.
    const deadline = Date.now() + 10_000;
    const served = () => mock.requests({ credential: KEYS[1] }).some((r) => r.status === 200);
    while (!served() && Date.now() < deadline) await calls(client, 'openai/gpt-4o-mini', 1, 1);
    expect(served()).toBe(true);

    const since = Date.now();
    await calls(client, 'openai/gpt-4o-mini', 200, 4);
    expectShares(landed(mock, KEYS, since), [1, 1]);
  });
});
