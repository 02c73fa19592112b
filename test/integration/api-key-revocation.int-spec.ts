import { randomUUID } from 'node:crypto';
import { describeWithServices, SERVICE_URLS } from '../support/services';
import { signToken, startTestApp, type TestApp } from '../support/test-app';

/** Typed readers for response bodies (fetch's json() is unknown). */
interface ErrorJson {
  code: string;
  message: string;
  type?: string;
  details?: { level?: string; limit?: number };
}
const errorOf = async (res: Response): Promise<ErrorJson> =>
  ((await res.json()) as { error: ErrorJson }).error;
const dataOf = async <T>(res: Response): Promise<T> => ((await res.json()) as { data: T }).data;

const KEYS = '/api/v1/api-keys';

/** Polls readiness until every dependency (Redis included) is up: the clients connect async. */
async function untilReady(t: TestApp): Promise<TestApp> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await fetch(`${t.url}/health/ready`);
    if (res.status === 200) return t;
    if (Date.now() > deadline) throw new Error(`not ready: ${await res.text()}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Two gateway instances on one Postgres and one Redis: a key changed on one instance must be
 * refused by the other at once, although the other has it in its cache.
 */
describeWithServices(['DATABASE_URL', 'REDIS_URL'], 'API key changes across instances', () => {
  let a: TestApp;
  let b: TestApp;
  const org = `org-${randomUUID()}`;
  const admin = signToken({ sub: 'admin', org_id: org, scopes: ['admin'] });

  beforeAll(async () => {
    const env = { DATABASE_URL: SERVICE_URLS.DATABASE_URL, REDIS_URL: SERVICE_URLS.REDIS_URL };
    a = await untilReady(await startTestApp(env));
    b = await untilReady(await startTestApp(env));
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  const create = async (scopes: string[]) => {
    const res = await fetch(`${a.url}${KEYS}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'shared', scopes }),
    });
    expect(res.status).toBe(201);
    return dataOf<{ id: string; secret: string }>(res);
  };
  const listWith = (t: TestApp, secret: string) =>
    fetch(`${t.url}${KEYS}`, { headers: { 'x-api-key': secret } });
  const onA = (path: string, method: string, body?: object) =>
    fetch(`${a.url}${KEYS}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${admin}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });

  it('refuses a key revoked on A at once on B, which had it cached', async () => {
    const key = await create(['admin']);
    expect((await listWith(b, key.secret)).status).toBe(200);
    expect((await listWith(b, key.secret)).status).toBe(200); // now served from B's cache
    expect((await onA(`/${key.id}/revoke`, 'POST')).status).toBe(200);
    const after = await listWith(b, key.secret);
    expect(after.status).toBe(401);
    expect((await errorOf(after)).message).toMatch(/revoked/);
  });

  it('applies a scope change and a deletion made on A at once on B', async () => {
    const key = await create(['admin']);
    expect((await listWith(b, key.secret)).status).toBe(200);
    expect((await onA(`/${key.id}`, 'PATCH', { scopes: [] })).status).toBe(200);
    expect((await listWith(b, key.secret)).status).toBe(403);
    expect((await onA(`/${key.id}`, 'DELETE')).status).toBe(204);
    expect((await listWith(b, key.secret)).status).toBe(401);
  });
});
