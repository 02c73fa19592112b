import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mockDirective } from '../mock-upstream/server';
import { startGatewayWithMock, type GatewayWithMock } from '../support/gateway-with-mock';
import { callJson, type Json } from '../support/json';
import { authHeaders, signToken } from '../support/test-app';

/**
 * Stored configuration in embedded mode: org settings (error webhook, secret shown once),
 * deployment-wide catalog overrides (validated, applied at once, kept across a restart), the
 * watcher's state in readiness, and hot-path caches that follow writes at once.
 */
describe('live configuration (embedded)', () => {
  let t: GatewayWithMock;
  const org = `org-${randomUUID()}`;
  const admin = authHeaders(signToken({ sub: 'ops', org_id: org, scopes: ['admin'] }));
  const deploymentAdmin = authHeaders(
    signToken({ sub: 'ops', org_id: org, scopes: ['admin', 'deployment:admin'] }),
  );
  const member = authHeaders(signToken({ org_id: org }));

  const call = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
    callJson(t.gw.url, method, path, headers, body);
  const models = async (): Promise<Json[]> =>
    (await call('GET', '/api/v1/models', member)).body.data.models as Json[];

  /** Set once the app was restarted on its own DATA_DIR, which is then ours to remove. */
  let keptDataDir: string | undefined;

  beforeAll(async () => {
    t = await startGatewayWithMock({ RATE_LIMIT_USER_PER_MINUTE: '0' });
  });
  afterAll(async () => {
    await t?.close();
    if (keptDataDir) rmSync(keptDataDir, { recursive: true, force: true });
  });

  describe('org settings', () => {
    it('are for admins only', async () => {
      expect((await call('GET', '/api/v1/settings', member)).status).toBe(403);
      expect(
        (await call('PUT', '/api/v1/settings', member, { error_webhook_url: null })).status,
      ).toBe(403);
    });

    it('show a generated webhook secret once, then only its hint', async () => {
      const fresh = await call('GET', '/api/v1/settings', admin);
      expect(fresh.body.data).toEqual({
        org_id: org,
        error_webhook_url: null,
        error_webhook_secret_hint: null,
        updated_at: null,
      });

      const put = await call('PUT', '/api/v1/settings', admin, {
        error_webhook_url: 'https://ops.example.com/hooks/errors',
      });
      expect(put.status).toBe(200);
      expect(put.headers.get('cache-control')).toBe('no-store');
      const secret = put.body.data.error_webhook_secret as string;
      expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
      expect(put.body.data.error_webhook_secret_hint).toBe(`whsec_...${secret.slice(-4)}`);

      const read = await call('GET', '/api/v1/settings', admin);
      expect(read.body.data).toEqual({
        org_id: org,
        error_webhook_url: 'https://ops.example.com/hooks/errors',
        error_webhook_secret_hint: `whsec_...${secret.slice(-4)}`,
        updated_at: expect.any(String),
      });
      expect(read.text).not.toContain(secret);

      // Changing only the URL keeps the secret (and does not show it again).
      const moved = await call('PUT', '/api/v1/settings', admin, {
        error_webhook_url: 'https://ops.example.com/hooks/v2',
      });
      expect(moved.body.data.error_webhook_secret).toBeUndefined();
      expect(moved.body.data.error_webhook_secret_hint).toBe(`whsec_...${secret.slice(-4)}`);

      const rotated = await call('PUT', '/api/v1/settings', admin, {
        rotate_error_webhook_secret: true,
      });
      expect(rotated.body.data.error_webhook_secret).toMatch(/^whsec_[0-9a-f]{64}$/);
      expect(rotated.body.data.error_webhook_secret).not.toBe(secret);

      const own = await call('PUT', '/api/v1/settings', admin, {
        error_webhook_secret: 'my-own-signing-secret-4242',
      });
      expect(own.body.data.error_webhook_secret).toBeUndefined();
      expect(own.body.data.error_webhook_secret_hint).toBe('...4242');
      expect(own.text).not.toContain('my-own-signing-secret');

      const cleared = await call('PUT', '/api/v1/settings', admin, { error_webhook_url: null });
      expect(cleared.body.data).toMatchObject({
        error_webhook_url: null,
        error_webhook_secret_hint: null,
      });
    });

    it('refuse bad input with a 400 naming the field', async () => {
      const cases: Array<[object, string]> = [
        [{ error_webhook_url: 'ftp://example.com/x' }, 'error_webhook_url'],
        [{ error_webhook_url: 'http://127.0.0.1:9/hook' }, 'error_webhook_url'],
        [
          { error_webhook_url: 'https://example.com/x', error_webhook_secret: 'short' },
          'error_webhook_secret',
        ],
        [{ error_webhook_url: null, rotate_error_webhook_secret: true }, 'error_webhook_url'],
        [{ surprise: true }, 'surprise'],
      ];
      for (const [body, field] of cases) {
        const res = await call('PUT', '/api/v1/settings', admin, body);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
        expect(res.body.error.message).toContain(field);
      }
    });
  });

  describe('catalog overrides', () => {
    afterAll(async () => {
      await call('PUT', '/api/v1/catalog-overrides', deploymentAdmin, {});
    });

    it('need the deployment:admin scope to change', async () => {
      expect((await call('GET', '/api/v1/catalog-overrides', member)).status).toBe(403);
      expect((await call('GET', '/api/v1/catalog-overrides', admin)).status).toBe(200);
      expect((await call('PUT', '/api/v1/catalog-overrides', admin, {})).status).toBe(403);
    });

    it('apply at once, refuse an invalid set, and survive a restart', async () => {
      const put = await call('PUT', '/api/v1/catalog-overrides', deploymentAdmin, {
        services: {
          openai: {
            models: {
              'gpt-4.1': null,
              'gpt-4o-mini': { pricing: { input_per_mtok: 9, output_per_mtok: 99 } },
            },
          },
        },
      });
      expect(put.status).toBe(200);
      expect(put.body.data).toMatchObject({ updated_by: 'ops', updated_at: expect.any(String) });
      let list = await models();
      expect(list.find((m) => m.id === 'openai/gpt-4.1')).toBeUndefined();
      expect(list.find((m) => m.id === 'openai/gpt-4o-mini').pricing).toMatchObject({
        input_per_mtok: 9,
        output_per_mtok: 99,
      });
      const removed = await call('POST', '/v1/chat/completions', member, {
        model: 'openai/gpt-4.1',
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(removed.status).toBe(400);

      const invalid = await call('PUT', '/api/v1/catalog-overrides', deploymentAdmin, {
        services: { openai: { models: { 'gpt-4o-mini': { context_window: 'large' } } } },
      });
      expect(invalid.status).toBe(400);
      expect(invalid.body.error.code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(invalid.body.error.details)).toContain('context_window');
      // Nothing changed: neither in force nor stored.
      expect(
        (await models()).find((m) => m.id === 'openai/gpt-4o-mini').pricing.input_per_mtok,
      ).toBe(9);
      expect((await call('GET', '/api/v1/catalog-overrides', admin)).body.data.overrides).toEqual(
        put.body.data.overrides,
      );

      // Stored configuration wins over the catalog file from the first request after a restart.
      const dataDir = t.gw.dataDir;
      keptDataDir = dataDir;
      await t.gw.close({ keepData: true });
      await t.mock.close();
      t = await startGatewayWithMock({ DATA_DIR: dataDir, RATE_LIMIT_USER_PER_MINUTE: '0' });
      list = await models();
      expect(list.find((m) => m.id === 'openai/gpt-4.1')).toBeUndefined();

      expect((await call('PUT', '/api/v1/catalog-overrides', deploymentAdmin, {})).status).toBe(
        200,
      );
      expect((await models()).find((m) => m.id === 'openai/gpt-4.1')).toBeDefined();
    });
  });

  it('shows the watcher in readiness, apart from the dependencies', async () => {
    const ready = await call('GET', '/health/ready', {});
    expect(ready.status).toBe(200);
    expect(Object.keys(ready.body.dependencies)).toEqual(['postgres (embedded)']);
    const watcher = ready.body.components['config-watcher'];
    expect(watcher).toMatchObject({
      mode: 'in-process',
      healthy: true,
      events: expect.any(Number),
      relay: 'none',
    });
    expect(watcher).toHaveProperty('last_event_at');
  });

  it('serves an agent changed or deleted on this instance at once, although it is cached', async () => {
    const created = await call('POST', '/api/v1/agents', admin, {
      name: `live-${randomUUID().slice(0, 8)}`,
      service: 'openai',
      model: 'gpt-4o-mini',
      prompt: 'First prompt.',
    });
    expect(created.status).toBe(201);
    const agentId = created.body.data.id as string;
    const systemPromptSeen = async (key: string) => {
      const res = await call('POST', '/api/v2/model/chat/completion', member, {
        agent_id: agentId,
        user: `hi ${mockDirective({ key })}`,
        cache: false,
      });
      expect(res.status).toBe(200);
      const [req] = t.mock.requests({ key });
      return ((req.body as Json).messages as Json[])[0].content as string;
    };
    const k = `live-${randomUUID()}`;
    expect(await systemPromptSeen(`${k}-1`)).toBe('First prompt.');
    expect(await systemPromptSeen(`${k}-2`)).toBe('First prompt.');
    expect(
      (await call('PATCH', `/api/v1/agents/${agentId}`, admin, { prompt: 'Second prompt.' }))
        .status,
    ).toBe(200);
    expect(await systemPromptSeen(`${k}-3`)).toBe('Second prompt.');
    expect((await call('DELETE', `/api/v1/agents/${agentId}`, admin)).status).toBe(200);
    const gone = await call('POST', '/api/v2/model/chat/completion', member, {
      agent_id: agentId,
      user: 'hi',
    });
    expect(gone.status).toBe(404);
  });
});
