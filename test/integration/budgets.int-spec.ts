import { randomUUID } from 'node:crypto';
import { ModelCatalogService } from '../../src/modules/providers';
import { verifyWebhook } from '../../src/modules/queue';
import { until } from '../live-config/polling';
import { startHookReceiver, type HookReceiver } from '../live-config/receiver';
import { mockBaseUrls } from '../support/gateway-with-mock';
import { mockDirective, startMockUpstream, type MockUpstream } from '../mock-upstream/server';
import { describeWithServices, SERVICE_URLS } from '../support/services';
import { authHeaders, signToken, startTestApp, type TestApp } from '../support/test-app';

interface State {
  subject: string;
  subject_id: string;
  period: string;
  limit_usd: number;
  spent_usd: number;
  reserved_usd: number;
}
interface ChatJson {
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

const MODEL = 'openai/gpt-4o-mini';
const PROMPT = 'hello budget';
const MAX_TOKENS = 16;
const SECRET = 'whsec_budgets-integration-secret-0123456789';

async function untilReady(t: TestApp): Promise<TestApp> {
  await until('the app to be ready', async () => (await fetch(`${t.url}/health/ready`)).ok);
  return t;
}

describeWithServices(
  ['REDIS_URL', 'DATABASE_URL'],
  'dollar budgets on Redis, two instances',
  () => {
    let mock: MockUpstream;
    let hooks: HookReceiver;
    let a: TestApp;
    let b: TestApp;
    let estimateNano: number;

    const send = (t: TestApp, path: string, token: string, method = 'GET', body?: unknown) =>
      fetch(`${t.url}${path}`, {
        method,
        headers: authHeaders(token),
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const chat = (t: TestApp, token: string, content = PROMPT, extra: object = {}) =>
      send(t, '/v1/chat/completions', token, 'POST', {
        model: MODEL,
        max_tokens: MAX_TOKENS,
        messages: [{ role: 'user', content }],
        ...extra,
      });
    /** What the gateway records for a response's usage, in nano-dollars (the catalog's price). */
    const costNano = (usage: ChatJson['usage']): number =>
      Math.round(
        (a.app.get(ModelCatalogService).price('openai', 'gpt-4o-mini', {
          input_tokens: usage.prompt_tokens,
          output_tokens: usage.completion_tokens,
          total_tokens: usage.total_tokens,
          cached_tokens: 0,
          reasoning_tokens: 0,
          cost_usd: null,
        }) ?? 0) * 1e9,
      );
    const state = async (admin: string, subjectId: string): Promise<State | undefined> => {
      const res = await send(b, '/api/v1/budgets', admin);
      const { data } = (await res.json()) as { data: { budgets: State[] } };
      return data.budgets.find((s) => s.subject_id === subjectId && s.period === 'day');
    };
    const settled = (admin: string, subjectId: string) =>
      until(`${subjectId}'s holds to be settled`, async () => {
        const s = await state(admin, subjectId);
        return s && s.reserved_usd === 0 ? s : undefined;
      });

    beforeAll(async () => {
      [mock, hooks] = await Promise.all([startMockUpstream(), startHookReceiver()]);
      const env = {
        ...mockBaseUrls(mock.url),
        REDIS_URL: SERVICE_URLS.REDIS_URL,
        DATABASE_URL: SERVICE_URLS.DATABASE_URL,
        RATE_LIMIT_USER_PER_MINUTE: '0',
        ERROR_WEBHOOK_URL: hooks.url,
        ERROR_WEBHOOK_SECRET: SECRET,
        // The receiver listens on 127.0.0.1, which the egress policy refuses by default.
        EGRESS_ALLOWLIST: '127.0.0.1',
      };
      // One first (it runs the migrations), then the second against the same database.
      a = await startTestApp(env).then(untilReady);
      b = await startTestApp(env).then(untilReady);
      // The estimate the gateway holds for one request: "hello budget" is 12 characters (3
      // tokens at 4 characters a token) plus the 16 output tokens allowed.
      estimateNano = costNano({
        prompt_tokens: 3,
        completion_tokens: MAX_TOKENS,
        total_tokens: 19,
      });
    }, 60_000);
    afterAll(async () => {
      await a?.close();
      await b?.close();
      await mock?.close();
      await hooks?.close();
    });

    it('holds 500 concurrent requests on both instances within one estimate of the limit', async () => {
      const org = `org-${randomUUID()}`;
      const admin = signToken({ sub: 'admin', org_id: org, scopes: ['admin'] });
      const limitNano = 40 * estimateNano;
      const put = await send(a, '/api/v1/budgets/org', admin, 'PUT', { day_usd: limitNano / 1e9 });
      expect(put.status).toBe(200);

      const responses = await Promise.all(
        Array.from({ length: 500 }, (_, i) =>
          chat(i % 2 ? b : a, signToken({ sub: `u${i}`, org_id: org })),
        ),
      );
      const ok = responses.filter((r) => r.status === 200);
      const refused = responses.filter((r) => r.status === 429);
      expect(ok.length + refused.length).toBe(500);
      expect(ok.length).toBeGreaterThan(0);
      expect(refused.length).toBeGreaterThan(0);
      // Both instances refused some: the counters are shared.
      expect(responses.some((r, i) => i % 2 === 0 && r.status === 429)).toBe(true);
      expect(responses.some((r, i) => i % 2 === 1 && r.status === 429)).toBe(true);
      let recorded = 0;
      for (const r of ok) {
        const cost = costNano(((await r.json()) as ChatJson).usage);
        expect(cost).toBeLessThanOrEqual(estimateNano); // so real spend is bounded by the holds
        recorded += cost;
      }
      for (const r of refused) {
        expect(((await r.json()) as { error: { code: string } }).error.code).toBe(
          'budget_exceeded',
        );
      }
      const s = await settled(admin, 'org');
      expect(Math.round(s.spent_usd * 1e9)).toBe(recorded);
      expect(recorded).toBeLessThanOrEqual(limitNano + estimateNano);
    }, 60_000);

    it('gives the whole hold back when the upstream fails', async () => {
      const org = `org-${randomUUID()}`;
      const admin = signToken({ sub: 'admin', org_id: org, scopes: ['admin'] });
      await send(a, '/api/v1/budgets/org', admin, 'PUT', { day_usd: 1 });
      const token = signToken({ sub: 'u', org_id: org });
      const res = await chat(a, token, `boom ${mockDirective({ status: 400 })}`);
      expect(res.status).toBeGreaterThanOrEqual(400);
      const s = await settled(admin, 'org');
      expect(s.spent_usd).toBe(0);
    });

    it('holds a stream until its end, then settles the real cost', async () => {
      const org = `org-${randomUUID()}`;
      const admin = signToken({ sub: 'admin', org_id: org, scopes: ['admin'] });
      await send(a, '/api/v1/budgets/org', admin, 'PUT', { day_usd: 1 });
      const token = signToken({ sub: 'u', org_id: org });
      const res = await chat(
        a,
        token,
        `${PROMPT} ${mockDirective({ chunks: 4, chunk_delay_ms: 300 })}`,
        {
          stream: true,
          stream_options: { include_usage: true },
        },
      );
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      const first = await reader.read();
      expect(first.done).toBe(false);
      // Mid-stream the estimate is held, nothing is spent yet.
      const during = await state(admin, 'org');
      expect(during!.reserved_usd).toBeGreaterThan(0);
      expect(during!.spent_usd).toBe(0);
      let text = new TextDecoder().decode(first.value);
      for (let r = await reader.read(); !r.done; r = await reader.read()) {
        text += new TextDecoder().decode(r.value);
      }
      const usageEvent = text
        .split('\n')
        .filter((l) => l.startsWith('data: {'))
        .map((l) => JSON.parse(l.slice(6)) as { usage?: ChatJson['usage'] | null })
        .find((e) => e.usage);
      expect(usageEvent?.usage).toBeDefined();
      const s = await settled(admin, 'org');
      expect(Math.round(s.spent_usd * 1e9)).toBe(costNano(usageEvent!.usage!));
    });

    it('settles an aborted stream: the hold goes and the unfinished round is not charged', async () => {
      const org = `org-${randomUUID()}`;
      const admin = signToken({ sub: 'admin', org_id: org, scopes: ['admin'] });
      await send(a, '/api/v1/budgets/org', admin, 'PUT', { day_usd: 1 });
      const key = `abort-${randomUUID()}`;
      const aborter = new AbortController();
      const res = await fetch(`${a.url}/v1/chat/completions`, {
        method: 'POST',
        headers: authHeaders(signToken({ sub: 'u', org_id: org })),
        body: JSON.stringify({
          model: MODEL,
          max_tokens: MAX_TOKENS,
          stream: true,
          messages: [
            { role: 'user', content: `${PROMPT} ${mockDirective({ stall_after: 1, key })}` },
          ],
        }),
        signal: aborter.signal,
      });
      const reader = res.body!.getReader();
      await reader.read();
      expect((await state(admin, 'org'))!.reserved_usd).toBeGreaterThan(0);
      aborter.abort();
      await mock.waitFor((r) => r.key === key && r.aborted === true);
      // The provider round never finished, so it reported no usage: nothing is charged.
      const s = await settled(admin, 'org');
      expect(s.spent_usd).toBe(0);
    });

    it('fires the signed threshold webhook once per period, whichever instance crosses it', async () => {
      const org = `org-${randomUUID()}`;
      const admin = signToken({ sub: 'admin', org_id: org, scopes: ['admin'] });
      await send(a, '/api/v1/budgets/org', admin, 'PUT', {
        day_usd: (4 * estimateNano) / 1e9,
        alert_percent: 10,
      });
      // Every settled request is over 10 % of this limit: each one would cross it.
      for (let i = 0; i < 4; i++)
        await chat(i % 2 ? b : a, signToken({ sub: `u${i}`, org_id: org }));
      await settled(admin, 'org');
      const mine = () =>
        hooks.received.filter((h) => h.body.includes(org) && h.body.includes('budget.threshold'));
      const [hook] = await until('the threshold webhook', () => mine().length > 0 && mine());
      expect(
        verifyWebhook(
          SECRET,
          {
            signature: hook.headers['x-signature'] as string,
            timestamp: hook.headers['x-timestamp'] as string,
          },
          hook.body,
        ),
      ).toBe(true);
      expect(JSON.parse(hook.body)).toMatchObject({
        type: 'budget.threshold',
        org_id: org,
        subject: 'org',
        period: 'day',
        threshold_percent: 10,
      });
      // More spend in the same period on the other instance, then a second org crossing its own
      // threshold there: once that later event has arrived, a duplicate queued before it would have too.
      await chat(b, signToken({ sub: 'late', org_id: org }));
      await settled(admin, 'org');
      const org2 = `org-${randomUUID()}`;
      const admin2 = signToken({ sub: 'admin', org_id: org2, scopes: ['admin'] });
      await send(b, '/api/v1/budgets/org', admin2, 'PUT', { day_usd: 1e-6, alert_percent: 10 });
      await chat(b, signToken({ sub: 'u', org_id: org2 }));
      await until('the second org threshold webhook', () =>
        hooks.received.some((h) => h.body.includes(org2)),
      );
      expect(mine()).toHaveLength(1);
    });
  },
);
