import { randomBytes, randomUUID } from 'node:crypto';
import { mockDirective } from '../mock-upstream/server';
import { startGatewayWithMock, type GatewayWithMock } from '../support/gateway-with-mock';
import { callJson, type Json } from '../support/json';
import { describeWithServices, SERVICE_URLS, type ServiceKey } from '../support/services';
import { authHeaders, signToken } from '../support/test-app';
import { until } from '../live-config/polling';
import { TcpRelay } from '../live-config/tcp-relay';

/** Both instances must open what the other sealed (provider keys). */
const ENCRYPTION_KEY = randomBytes(32).toString('hex');
const PROPAGATION_MS = 15_000;

interface SuiteOptions {
  services: ServiceKey[];
  /** The document store, reached through a relay that the restart test stops and starts. */
  store: 'DATABASE_URL' | 'MONGODB_URI';
  mode: 'listen-notify' | 'polling';
  redis?: boolean;
}

/**
 * Two gateway instances sharing their stores. A change made through A must reach B's in-memory caches without a
 * restart: an agent's prompt, a revoked API key, a changed provider key, a deleted agent — and
 * still after the database went away and came back. Each check polls B with a bounded
 * deadline; B's caches are warmed first, and their TTLs are far longer than the deadline, so
 * only the watcher can make the change visible in time.
 */
function crossInstanceSuite(name: string, opts: SuiteOptions): void {
  describeWithServices(opts.services, name, () => {
    let relay: TcpRelay;
    let a: GatewayWithMock;
    let b: GatewayWithMock;
    const org = `org-cw-${randomUUID()}`;
    const admin = authHeaders(signToken({ sub: 'ops', org_id: org, scopes: ['admin'] }));
    const member = authHeaders(signToken({ org_id: org }));

    const call = (
      t: GatewayWithMock,
      method: string,
      path: string,
      headers: Record<string, string>,
      body?: unknown,
    ) => callJson(t.gw.url, method, path, headers, body);
    const watcher = async (t: GatewayWithMock): Promise<Json> =>
      (await call(t, 'GET', '/health/ready', {})).body.components['config-watcher'];

    /** The upstream request B made for a completion tagged with a fresh mock key. */
    const upstreamCallOnB = async (path: string, body: (tag: string) => object) => {
      const key = `cw-${randomUUID()}`;
      const res = await call(b, 'POST', path, member, body(mockDirective({ key })));
      expect(res.status).toBe(200);
      const [req] = b.mock.requests({ key });
      return req;
    };

    beforeAll(async () => {
      ({ relay, url: storeUrl } = await TcpRelay.in(SERVICE_URLS[opts.store]!));
      const env = {
        DATABASE_URL: SERVICE_URLS.DATABASE_URL,
        MONGODB_URI: SERVICE_URLS.MONGODB_URI,
        REDIS_URL: opts.redis ? SERVICE_URLS.REDIS_URL : undefined,
        [opts.store]: storeUrl,
        ENCRYPTION_KEY,
        OPENAI_API_KEY: 'sk-deployment-key-for-the-mock-0000',
        RATE_LIMIT_USER_PER_MINUTE: '0',
        RATE_LIMIT_THREAD_PER_MINUTE: '0',
        PROVIDER_MAX_RETRIES: '0',
        CACHE_TTL_SECONDS: '0',
      };
      if (opts.store === 'DATABASE_URL') delete (env as Record<string, unknown>).MONGODB_URI;
      a = await startGatewayWithMock(env);
      b = await startGatewayWithMock(env);
      for (const t of [a, b]) {
        await until('the watcher to run', async () => (await watcher(t))?.healthy === true);
      }
    });
    let storeUrl: string;
    afterAll(async () => {
      await relay?.start();
      await a?.close();
      await b?.close();
      await relay?.stop();
    });

    it(`watches in ${opts.mode} mode${opts.redis ? ', relayed over Redis' : ''}`, async () => {
      expect(await watcher(b)).toMatchObject({
        mode: opts.mode,
        healthy: true,
        relay: opts.redis ? 'redis' : 'none',
        ...(opts.redis ? { relay_connected: true } : {}),
      });
    });

    it("applies an agent's new prompt on B, which had the agent cached; then its deletion", async () => {
      const created = await call(a, 'POST', '/api/v1/agents', admin, {
        name: `cw-${randomUUID().slice(0, 8)}`,
        service: 'openai',
        model: 'gpt-4o-mini',
        prompt: 'Prompt one.',
      });
      expect(created.status).toBe(201);
      const agentId = created.body.data.id as string;
      const promptOnB = async () => {
        const req = await upstreamCallOnB('/api/v2/model/chat/completion', (tag) => ({
          agent_id: agentId,
          user: `hello ${tag}`,
        }));
        return ((req.body as Json).messages as Json[])[0].content as string;
      };
      expect(await promptOnB()).toBe('Prompt one.');
      expect(await promptOnB()).toBe('Prompt one.');

      const patched = await call(a, 'PATCH', `/api/v1/agents/${agentId}`, admin, {
        prompt: 'Prompt two.',
      });
      expect(patched.status).toBe(200);
      await until(
        'B to use the new prompt',
        async () => (await promptOnB()) === 'Prompt two.',
        PROPAGATION_MS,
      );

      expect((await call(a, 'DELETE', `/api/v1/agents/${agentId}`, admin)).status).toBe(200);
      await until(
        'B to forget the deleted agent',
        async () =>
          (
            await call(b, 'POST', '/api/v2/model/chat/completion', member, {
              agent_id: agentId,
              user: 'hello',
            })
          ).status === 404,
        PROPAGATION_MS,
      );
    });

    it("applies on B a budget allowlist set on A, although B had the org's policies cached", async () => {
      const chatOnB = async () =>
        (
          await call(b, 'POST', '/v1/chat/completions', member, {
            model: 'openai/gpt-4o-mini',
            messages: [{ role: 'user', content: 'hello budgets' }],
          })
        ).status;
      // Budget policy changes seen by a source or relay (the counter is per process: A and B).
      const seen = async () => {
        const text = await (await fetch(`${b.gw.url}/metrics`)).text();
        const m = /gateway_config_changes_total\{kind="budget_policy",origin="remote"\} (\d+)/.exec(
          text,
        );
        return m ? Number(m[1]) : 0;
      };
      const before = await seen();
      // B reads the org's policies (none) and keeps them for CONFIG_CACHE_TTL_MS (30 s).
      expect(await chatOnB()).toBe(200);
      const put = await call(a, 'PUT', '/api/v1/budgets/org', admin, {
        allowed_models: ['anthropic/*'],
      });
      expect(put.status).toBe(200);
      await until(
        'B to apply the allowlist',
        async () => (await chatOnB()) === 403,
        PROPAGATION_MS,
      );
      // It came as a change event (a cache expiry would have applied it too, only later).
      expect(await seen()).toBeGreaterThan(before);
      expect((await call(a, 'DELETE', '/api/v1/budgets/org', admin)).status).toBe(204);
      await until('B to drop the allowlist', async () => (await chatOnB()) === 200, PROPAGATION_MS);
    });

    it('refuses on B an API key revoked on A, although B had it cached', async () => {
      const created = await call(a, 'POST', '/api/v1/api-keys', admin, {
        name: 'shared',
        scopes: ['admin'],
      });
      expect(created.status).toBe(201);
      const { id, secret } = created.body.data as { id: string; secret: string };
      const listOnB = () =>
        fetch(`${b.gw.url}/api/v1/api-keys`, { headers: { 'x-api-key': secret } });
      expect((await listOnB()).status).toBe(200);
      expect((await listOnB()).status).toBe(200);
      expect((await call(a, 'POST', `/api/v1/api-keys/${id}/revoke`, admin)).status).toBe(200);
      await until(
        'B to refuse the key',
        async () => (await listOnB()).status === 401,
        PROPAGATION_MS,
      );
    });

    it('calls the provider with the key changed on A', async () => {
      const oldKey = `sk-old-${randomUUID()}`;
      const newKey = `sk-new-${randomUUID()}`;
      const created = await call(a, 'POST', '/api/v1/provider-keys', admin, {
        service: 'openai',
        api_key: oldKey,
      });
      expect(created.status).toBe(201);
      const keyOnB = async () => {
        const req = await upstreamCallOnB('/v1/chat/completions', (tag) => ({
          model: 'openai/gpt-4o-mini',
          messages: [{ role: 'user', content: `hi ${tag}` }],
        }));
        return req.headers.authorization;
      };
      // B may have remembered "no org key" from an earlier call: the creation reaches it too.
      await until(
        'B to use the org key',
        async () => (await keyOnB()) === `Bearer ${oldKey}`,
        PROPAGATION_MS,
      );
      expect(await keyOnB()).toBe(`Bearer ${oldKey}`);
      const updated = await call(
        a,
        'PATCH',
        `/api/v1/provider-keys/${created.body.data.id}`,
        admin,
        {
          api_key: newKey,
        },
      );
      expect(updated.status).toBe(200);
      await until(
        'B to use the new key',
        async () => (await keyOnB()) === `Bearer ${newKey}`,
        PROPAGATION_MS,
      );
    });

    it('keeps watching after the database went away and came back', async () => {
      const created = await call(a, 'POST', '/api/v1/agents', admin, {
        name: `cw-restart-${randomUUID().slice(0, 8)}`,
        service: 'openai',
        model: 'gpt-4o-mini',
        prompt: 'Before the restart.',
      });
      expect(created.status).toBe(201);
      const agentId = created.body.data.id as string;
      const promptOnB = async () => {
        const req = await upstreamCallOnB('/api/v2/model/chat/completion', (tag) => ({
          agent_id: agentId,
          user: `hello ${tag}`,
        }));
        return ((req.body as Json).messages as Json[])[0].content as string;
      };
      expect(await promptOnB()).toBe('Before the restart.');

      await relay.stop();
      const down = await until(
        "B's watcher to notice the outage",
        async () => {
          const w = await watcher(b);
          return w.healthy === false && w;
        },
        PROPAGATION_MS,
      );
      expect(down).toMatchObject({ mode: opts.mode, last_error: expect.any(String) });
      await relay.start();
      await until(
        'the watchers to recover',
        async () => {
          const [wa, wb] = [await watcher(a), await watcher(b)];
          return wa.healthy === true && wb.healthy === true;
        },
        30_000,
      );

      // The store may need a moment to take writes again (pools reconnect on demand).
      await until(
        'A to take the change',
        async () =>
          (
            await call(a, 'PATCH', `/api/v1/agents/${agentId}`, admin, {
              prompt: 'After the restart.',
            })
          ).status === 200,
        30_000,
      );
      await until(
        'B to use the new prompt',
        async () => (await promptOnB()) === 'After the restart.',
        PROPAGATION_MS,
      );
    });
  });
}

crossInstanceSuite('config changes across instances on PostgreSQL (LISTEN/NOTIFY)', {
  services: ['DATABASE_URL'],
  store: 'DATABASE_URL',
  mode: 'listen-notify',
});

crossInstanceSuite('config changes across instances on MongoDB without change streams (polling)', {
  services: ['MONGODB_URI', 'DATABASE_URL'],
  store: 'MONGODB_URI',
  mode: 'polling',
});

crossInstanceSuite('config changes across instances on MongoDB, relayed over Redis', {
  services: ['MONGODB_URI', 'DATABASE_URL', 'REDIS_URL'],
  store: 'MONGODB_URI',
  mode: 'polling',
  redis: true,
});
