import { randomUUID } from 'node:crypto';
import { ModelCatalogService } from '../../src/modules/providers';
import { mockDirective } from '../mock-upstream/server';
import { startGatewayWithMock, type GatewayWithMock } from '../support/gateway-with-mock';
import { authHeaders, signToken } from '../support/test-app';

interface Envelope<T> {
  success: boolean;
  data: T;
  error: { code: string; message: string; details?: Record<string, unknown> };
}
interface State {
  subject: string;
  subject_id: string;
  period: string;
  limit_usd: number;
  spent_usd: number;
  reserved_usd: number;
  remaining_usd: number;
  resets_at: string;
}

const MODEL = 'openai/gpt-4o-mini';

/** Polls (yielding between tries, no fixed sleep) until `check` returns a value. */
async function until<T>(check: () => Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('dollar budgets and model allowlists (embedded stores)', () => {
  let t: GatewayWithMock;
  const org = `org-${randomUUID()}`;
  const admin = signToken({ sub: 'admin-1', org_id: org, scopes: ['admin'] });

  const call = (path: string, init: { method?: string; token?: string; body?: unknown } = {}) =>
    fetch(`${t.gw.url}${path}`, {
      method: init.method ?? 'GET',
      headers:
        init.body === undefined
          ? { authorization: `Bearer ${init.token ?? admin}` }
          : authHeaders(init.token ?? admin),
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  const chat = (token: string, model = MODEL, extra: Record<string, unknown> = {}) =>
    call('/v1/chat/completions', {
      method: 'POST',
      token,
      body: {
        model,
        max_tokens: 16,
        messages: [{ role: 'user', content: 'hello budget' }],
        ...extra,
      },
    });
  const states = async (token = admin): Promise<State[]> =>
    ((await (await call('/api/v1/budgets', { token })).json()) as Envelope<{ budgets: State[] }>)
      .data.budgets;

  beforeAll(async () => {
    t = await startGatewayWithMock();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses a model outside an API key allowlist with 403 MODEL_NOT_ALLOWED', async () => {
    const created = (await (
      await call('/api/v1/api-keys', { method: 'POST', body: { name: 'budgeted' } })
    ).json()) as Envelope<{ id: string; secret: string }>;
    const put = await call(`/api/v1/api-keys/${created.data.id}/budget`, {
      method: 'PUT',
      body: { allowed_models: ['openai/*'], day_usd: 10 },
    });
    expect(put.status).toBe(200);
    const refused = await chat(created.data.secret, 'anthropic/claude-sonnet-4-6');
    expect(refused.status).toBe(403);
    const body = (await refused.json()) as { error: { code: string; type: string } };
    expect(body.error).toMatchObject({ code: 'model_not_allowed', type: 'permission_error' });
    expect((await chat(created.data.secret)).status).toBe(200);

    // The key's own view: its policy and its day budget, charged for the one call it made.
    const own = await until(async () => {
      const res = await call(`/api/v1/api-keys/${created.data.id}/budget`);
      const body = (await res.json()) as Envelope<{ policy: unknown; budgets: State[] }>;
      const day = body.data.budgets.find((b) => b.period === 'day');
      return day && day.spent_usd > 0 && day.reserved_usd === 0 ? body.data : undefined;
    });
    expect(own.policy).toMatchObject({ subject: 'key', day_usd: 10, allowed_models: ['openai/*'] });
    expect(own.budgets).toEqual([
      expect.objectContaining({ subject: 'key', subject_id: created.data.id, period: 'day' }),
    ]);

    // Once the key's budget is spent, its refusal names the key's budget.
    await call(`/api/v1/api-keys/${created.data.id}/budget`, {
      method: 'PUT',
      body: { month_usd: 0 },
    });
    const spent = await chat(created.data.secret);
    expect(spent.status).toBe(429);
    expect(((await spent.json()) as { error: { message: string } }).error.message).toMatch(
      /API key's monthly budget/,
    );
    // The key itself, without the admin scope, sees what applies to it (its key and the org).
    const mine = (await (
      await call('/api/v1/budgets/me', { token: created.data.secret })
    ).json()) as Envelope<{ budgets: State[] }>;
    expect(mine.data.budgets.map((b) => [b.subject, b.period])).toEqual([['key', 'month']]);
    const removed = await call(`/api/v1/api-keys/${created.data.id}/budget`, { method: 'DELETE' });
    expect(removed.status).toBe(204);
    expect((await chat(created.data.secret)).status).toBe(200);
  });

  it('settles the real cost: spend equals the priced usage, nothing stays reserved', async () => {
    const user = `u-${randomUUID()}`;
    const token = signToken({ sub: user, org_id: org });
    await call(`/api/v1/budgets/users/${user}`, { method: 'PUT', body: { day_usd: 5 } });
    const catalog = t.gw.app.get(ModelCatalogService);
    let expectedNano = 0;
    for (let i = 0; i < 3; i++) {
      const res = await chat(token);
      expect(res.status).toBe(200);
      const { usage } = (await res.json()) as {
        usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
      };
      const cost = catalog.price('openai', 'gpt-4o-mini', {
        input_tokens: usage.prompt_tokens,
        output_tokens: usage.completion_tokens,
        total_tokens: usage.total_tokens,
        cached_tokens: 0,
        reasoning_tokens: 0,
        cost_usd: null,
      });
      expectedNano += Math.round((cost ?? 0) * 1e9);
    }
    expect(expectedNano).toBeGreaterThan(0);
    // The hold is settled when the response closes, just after the client has read it.
    const day = await until(async () => {
      const s = (await states()).find((x) => x.subject_id === user && x.period === 'day');
      return s && s.reserved_usd === 0 ? s : undefined;
    });
    expect(day).toMatchObject({ subject: 'user', limit_usd: 5, reserved_usd: 0 });
    expect(Math.round(day.spent_usd * 1e9)).toBe(expectedNano);
    expect(day.remaining_usd).toBeCloseTo(5 - expectedNano / 1e9, 9);
  });

  it('answers 429 BUDGET_EXCEEDED with Retry-After and the reset time in every envelope', async () => {
    const user = `u-${randomUUID()}`;
    const token = signToken({ sub: user, org_id: org });
    await call(`/api/v1/budgets/users/${user}`, { method: 'PUT', body: { day_usd: 0 } });

    const openai = await chat(token);
    expect(openai.status).toBe(429);
    const retryAfter = Number(openai.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
    const o = (await openai.json()) as { error: { code: string; type: string; message: string } };
    expect(o.error).toMatchObject({ code: 'budget_exceeded', type: 'rate_limit_error' });
    expect(o.error.message).toMatch(/user's daily budget .* resets at \d{4}-\d\d-\d\dT00:00:00/);

    const agent = await call('/api/v2/model/chat/completion', {
      method: 'POST',
      token,
      body: { agent_id: 'nope', user: 'hi' },
    });
    expect(agent.status).toBe(429);
    const a = (await agent.json()) as Envelope<unknown>;
    const tomorrow = new Date();
    tomorrow.setUTCHours(24, 0, 0, 0);
    expect(a.error.code).toBe('BUDGET_EXCEEDED');
    expect(a.error.details).toMatchObject({
      budget: 'user',
      subject_id: user,
      period: 'day',
      limit_usd: 0,
      resets_at: tomorrow.toISOString(),
    });

    const anthropic = await fetch(`${t.gw.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': token, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'anthropic/claude-sonnet-4-6',
        max_tokens: 8,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    });
    expect(anthropic.status).toBe(429);
    const an = (await anthropic.json()) as { type: string; error: { type: string } };
    expect(an).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  });

  it('keeps budgets per org: another org neither reads nor sets them', async () => {
    const other = signToken({ sub: 'admin-2', org_id: `org-${randomUUID()}`, scopes: ['admin'] });
    expect(await states(other)).toEqual([]);
    const created = (await (
      await call('/api/v1/api-keys', { method: 'POST', body: { name: 'mine' } })
    ).json()) as Envelope<{ id: string }>;
    const foreign = await call(`/api/v1/api-keys/${created.data.id}/budget`, {
      method: 'PUT',
      token: other,
      body: { day_usd: 1 },
    });
    expect(foreign.status).toBe(404);
    const notAdmin = signToken({ sub: 'someone', org_id: org });
    expect((await call('/api/v1/budgets', { token: notAdmin })).status).toBe(403);
    expect(
      (await call('/api/v1/budgets/org', { method: 'PUT', token: notAdmin, body: { day_usd: 1 } }))
        .status,
    ).toBe(403);
  });

  it("skips an agent's fallback outside the caller's allowlist instead of calling it", async () => {
    const user = `u-${randomUUID()}`;
    const token = signToken({ sub: user, org_id: org });
    await call(`/api/v1/budgets/users/${user}`, {
      method: 'PUT',
      body: { allowed_models: ['openai/*'] },
    });
    const created = (await (
      await call('/api/v1/agents', {
        method: 'POST',
        body: {
          name: `fallbacks-${randomUUID()}`,
          service: 'openai',
          model: 'gpt-4o-mini',
          fallbacks: [
            { service: 'anthropic', model: 'claude-haiku-4-5' },
            { service: 'openai', model: 'gpt-4o' },
          ],
        },
      })
    ).json()) as Envelope<{ id: string }>;
    const complete = (key: string) =>
      call('/api/v2/model/chat/completion', {
        method: 'POST',
        token,
        body: {
          agent_id: created.data.id,
          cache: false,
          user: `fallback ${mockDirective({ key, fail_first: 3, status: 500 })}`,
        },
      });

    // The primary fails; the Anthropic fallback is outside openai/* and is never called.
    const key = `fb-${randomUUID()}`;
    const res = await complete(key);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Envelope<{ service: string; model: string }>;
    expect(body.data).toMatchObject({ service: 'openai', model: 'gpt-4o' });
    expect(t.mock.requests({ key }).map((r) => r.path)).not.toContain('/v1/messages');

    // Without the allowlist the same agent reaches its Anthropic fallback first.
    await call(`/api/v1/budgets/users/${user}`, { method: 'DELETE' });
    const open = `fb-${randomUUID()}`;
    const freed = await complete(open);
    expect(freed.status).toBe(200);
    expect(((await freed.json()) as Envelope<{ service: string }>).data.service).toBe('anthropic');
  });

  it.each([
    { day_usd: -1 },
    { day_usd: 'NaN' },
    { day_usd: '5' },
    { month_usd: 1e12 },
    { alert_percent: 0 },
    { alert_percent: 80.5 },
    { allowed_models: 'openai/*' },
    { allowed_models: ['no slash'] },
    { surprise: true },
  ])('rejects bad input %j with 400 VALIDATION_FAILED', async (body) => {
    const res = await call('/api/v1/budgets/org', { method: 'PUT', body });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Envelope<unknown>).error.code).toBe('VALIDATION_FAILED');
  });
});
