import { responseProblem } from './support/envelope';
import { sendRaw } from './support/raw-http';
import { startSecurityGateway, type SecurityGateway } from './support/security-gateway';

/**
 * Budgets as an attacker meets them: another org can neither read nor change an org's budgets
 * (nor a key's), a caller without `admin` gets 403, and malformed limits and ids are a 400 in
 * the envelope — never a 5xx, never stored.
 */
describe('budgets: tenancy and input', () => {
  let g: SecurityGateway;
  const send = (method: string, path: string, token: string, body?: unknown) =>
    sendRaw(g.gw.url, {
      method,
      path,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    g = await startSecurityGateway();
    const put = await send('PUT', '/api/v1/budgets/org', g.fx.adminToken, { day_usd: 7 });
    expect(put.status).toBe(200);
    const key = await send('PUT', `/api/v1/api-keys/${g.fx.apiKeyId}/budget`, g.fx.adminToken, {
      month_usd: 3,
    });
    expect(key.status).toBe(200);
  });
  afterAll(async () => {
    await g?.close();
  });

  it('shows another org none of them and lets it change none of them', async () => {
    const other = g.fx.otherOrgToken;
    const list = await send('GET', '/api/v1/budgets', other);
    expect(JSON.parse(list.text)).toMatchObject({ data: { policies: [], budgets: [] } });
    const keyPath = `/api/v1/api-keys/${g.fx.apiKeyId}/budget`;
    expect((await send('GET', keyPath, other)).status).toBe(404);
    expect((await send('PUT', keyPath, other, { month_usd: 1e6 })).status).toBe(404);
    // Its own org PUT and DELETE touch only its own org.
    expect((await send('PUT', '/api/v1/budgets/org', other, { day_usd: 1 })).status).toBe(200);
    expect((await send('DELETE', '/api/v1/budgets/org', other)).status).toBe(204);
    const mine = JSON.parse((await send('GET', '/api/v1/budgets', g.fx.adminToken)).text) as {
      data: {
        policies: Array<{ subject: string; day_usd: number | null; month_usd: number | null }>;
      };
    };
    expect(mine.data.policies).toEqual([
      expect.objectContaining({ subject: 'key', month_usd: 3 }),
      expect.objectContaining({ subject: 'org', day_usd: 7 }),
    ]);
  });

  it('refuses callers without admin', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/budgets'],
      ['PUT', '/api/v1/budgets/org'],
      ['PUT', '/api/v1/budgets/users/u1'],
      ['DELETE', '/api/v1/budgets/org'],
      ['GET', `/api/v1/api-keys/${g.fx.apiKeyId}/budget`],
    ]) {
      const res = await send(
        method,
        path,
        g.fx.userToken,
        method === 'PUT' ? { day_usd: 1 } : undefined,
      );
      expect([method, path, res.status]).toEqual([method, path, 403]);
    }
  });

  it.each([
    ['negative', { day_usd: -0.01 }],
    ['a string', { month_usd: '10' }],
    ['huge', { day_usd: 1e308 }],
    ['NUL in an id-like string', { day_usd: '\u0000' }],
    ['null alert as string', { alert_percent: 'null' }],
    ['array of objects', { allowed_models: [{ service: 'openai' }] }],
    ['a NUL in a model', { allowed_models: ['openai/gpt\u0000'] }],
    ['not an object', '[1,2]'],
    ['NaN literal', '{"day_usd": NaN}'],
  ])('answers %s with 400 in the envelope', async (_, body) => {
    const res = await send('PUT', '/api/v1/budgets/org', g.fx.adminToken, body);
    expect(res.status).toBe(400);
    expect(responseProblem('/api/v1/budgets/org', 'PUT', res)).toBeUndefined();
  });

  it.each(['%00', 'a%00b', '%ED%A0%80', '%0A'])(
    'answers a bad user id %s with 400, not a 5xx',
    async (id) => {
      const path = `/api/v1/budgets/users/${id}`;
      const res = await send('PUT', path, g.fx.adminToken, { day_usd: 1 });
      expect(res.status).toBe(400);
      expect(responseProblem(path, 'PUT', res)).toBeUndefined();
    },
  );

  it('takes a limit in exponent notation (class-validator decimal checks throw on it)', async () => {
    const res = await send('PUT', '/api/v1/budgets/users/tiny', g.fx.adminToken, {
      day_usd: 1e-12,
    });
    expect(res.status).toBe(200);
  });
});
