import { randomUUID } from 'node:crypto';
import { callJson, type JsonCall } from '../support/json';
import { authHeaders, signToken } from '../support/test-app';
import { expectRefusal } from './support/expect-refusal';
import { sendRaw } from './support/raw-http';
import { startSecurityGateway, type SecurityGateway } from './support/security-gateway';

/**
 * Who sees what. Every by-id route answers 404 to another org (and changes nothing), and
 * /metrics needs its token when METRICS_TOKEN is set and never carries tenant data in a
 * label, however many distinct ids and URLs the traffic has.
 */
const METRICS_TOKEN = 'metrics-token-for-the-security-suite';

/** Metrics whose labels the providers and tools modules own; their tests cover them. */
const COVERED_ELSEWHERE = ['gateway_provider_', 'gateway_tool_'];

describe('access: orgs and /metrics', () => {
  let g: SecurityGateway;
  const other = () => authHeaders(g.fx.otherOrgToken);
  const admin = () => authHeaders(g.fx.adminToken);
  const call = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
    callJson(g.gw.url, method, path, headers, body);

  beforeAll(async () => {
    g = await startSecurityGateway({ METRICS_TOKEN });
  });
  afterAll(async () => {
    await g?.close();
  });

  describe("another org's records", () => {
    let jobId: string;

    beforeAll(async () => {
      const job = await call('POST', '/api/v2/model/chat/completion', admin(), {
        agent_id: g.fx.agentId,
        user: 'later',
        variables: { customer: 'x' },
        response_format: { type: 'webhook', url: 'https://hooks.example.com/x' },
      });
      expect(job.status).toBe(202);
      jobId = job.body.data.job_id as string;
    });

    interface Route {
      method: string;
      what: string;
      path: () => string;
      body?: unknown;
    }
    const routes: Route[] = [
      { method: 'GET', what: 'agent', path: () => `/api/v1/agents/${g.fx.agentId}` },
      {
        method: 'PATCH',
        what: 'agent',
        path: () => `/api/v1/agents/${g.fx.agentId}`,
        body: { prompt: 'hijacked' },
      },
      { method: 'DELETE', what: 'agent', path: () => `/api/v1/agents/${g.fx.agentId}` },
      { method: 'GET', what: 'tool', path: () => `/api/v1/tools/${g.fx.toolId}` },
      {
        method: 'PATCH',
        what: 'tool',
        path: () => `/api/v1/tools/${g.fx.toolId}`,
        body: { description: 'hijacked' },
      },
      { method: 'DELETE', what: 'tool', path: () => `/api/v1/tools/${g.fx.toolId}` },
      { method: 'GET', what: 'api key', path: () => `/api/v1/api-keys/${g.fx.apiKeyId}` },
      {
        method: 'PATCH',
        what: 'api key',
        path: () => `/api/v1/api-keys/${g.fx.apiKeyId}`,
        body: { name: 'hijacked' },
      },
      {
        method: 'POST',
        what: 'api key revoke',
        path: () => `/api/v1/api-keys/${g.fx.apiKeyId}/revoke`,
      },
      { method: 'DELETE', what: 'api key', path: () => `/api/v1/api-keys/${g.fx.apiKeyId}` },
      {
        method: 'GET',
        what: 'provider key',
        path: () => `/api/v1/provider-keys/${g.fx.providerKeyId}`,
      },
      {
        method: 'PATCH',
        what: 'provider key',
        path: () => `/api/v1/provider-keys/${g.fx.providerKeyId}`,
        body: { api_key: 'sk-hijacked-123456' },
      },
      {
        method: 'DELETE',
        what: 'provider key',
        path: () => `/api/v1/provider-keys/${g.fx.providerKeyId}`,
      },
      {
        method: 'GET',
        what: 'thread messages',
        path: () => `/api/v1/threads/${g.fx.threadId}/messages`,
      },
      { method: 'DELETE', what: 'thread', path: () => `/api/v1/threads/${g.fx.threadId}` },
      { method: 'GET', what: 'job', path: () => `/api/v2/model/jobs/${jobId}` },
      {
        method: 'POST',
        what: 'dead-letter requeue',
        path: () => `/api/v1/queue/dead-letters/${jobId}/requeue`,
      },
    ];

    // One object per row: with tuples, Jest hands a missing last element over as `done`.
    it.each(routes)('$method $what of another org: 404', async ({ method, path, body }) => {
      const { 'content-type': type, ...bare } = other();
      const res = await sendRaw(g.gw.url, {
        method,
        path: path(),
        headers: body === undefined ? bare : { ...bare, 'content-type': type },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expectRefusal(res, { method, path: path() }, 404);
    });

    it("leaves the owner's records as they were", async () => {
      const reads: Array<[string, (r: JsonCall) => void]> = [
        [`/api/v1/agents/${g.fx.agentId}`, (r) => expect(r.body.data.prompt).not.toBe('hijacked')],
        [
          `/api/v1/tools/${g.fx.toolId}`,
          (r) => expect(r.body.data.description).not.toBe('hijacked'),
        ],
        [`/api/v1/api-keys/${g.fx.apiKeyId}`, (r) => expect(r.body.data.name).toBe('sec-key')],
        [`/api/v1/provider-keys/${g.fx.providerKeyId}`, () => undefined],
        [
          `/api/v1/threads/${g.fx.threadId}/messages`,
          (r) => expect(r.body.data.length).toBeGreaterThan(0),
        ],
      ];
      for (const [path, check] of reads) {
        const res = await call('GET', path, admin());
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
        check(res);
      }
      const key = await call('GET', `/api/v1/api-keys/${g.fx.apiKeyId}`, admin());
      expect(key.body.data.revoked_at ?? null).toBeNull();
    });

    it("lists never show another org's records", async () => {
      for (const path of [
        '/api/v1/agents',
        '/api/v1/tools',
        '/api/v1/api-keys',
        '/api/v1/provider-keys',
        '/api/v1/call-logs',
      ]) {
        const res = await call('GET', path, other());
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
        for (const item of res.body.data as Array<{ org_id?: string }>) {
          expect(item.org_id ?? g.fx.otherOrgId).toBe(g.fx.otherOrgId);
        }
        expect(res.text).not.toContain(g.fx.orgId);
      }
    });
  });

  describe('/metrics', () => {
    const scrape = (authorization?: string) =>
      sendRaw(g.gw.url, {
        method: 'GET',
        path: '/metrics',
        headers: authorization ? { authorization } : {},
      });

    it('needs the metrics token when METRICS_TOKEN is set', async () => {
      for (const auth of [
        undefined,
        'Bearer wrong-token-wrong-token',
        `Bearer ${g.fx.adminToken}`,
        `Basic ${METRICS_TOKEN}`,
      ]) {
        const res = await scrape(auth);
        expectRefusal(res, { method: 'GET', path: '/metrics' }, 401, /metrics token/);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
        expect(res.text).not.toContain('gateway_http_requests_total');
      }
      const ok = await scrape(`Bearer ${METRICS_TOKEN}`);
      expect(ok.status).toBe(200);
      expect(ok.text).toContain('gateway_http_requests_total');
    });

    it('carries no tenant data, and distinct ids and URLs add no series', async () => {
      const secretOrg = `org-secret-${randomUUID()}`;
      const secretUser = `user-secret-${randomUUID()}`;
      const secretThread = `thread-secret-${randomUUID().slice(0, 8)}`;
      const tenant = authHeaders(
        signToken({ sub: secretUser, org_id: secretOrg, scopes: ['admin'] }),
      );
      const countSeries = (text: string) =>
        text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;

      // Warm every kind of request once, so the second round can only add per-id series.
      const round = async (n: number) => {
        const id = `${n}${randomUUID().replace(/-/g, '')}`.slice(0, 20);
        await call('GET', `/api/v1/agents/agt_${id}`, tenant);
        await call('GET', `/api/v1/tools/tool_${id}`, tenant);
        await call('GET', `/api/v1/threads/${secretThread}-${n}/messages`, tenant);
        await call('GET', `/unknown-${id}/x?y=${id}`, tenant);
        await call('POST', '/api/v1/agents', tenant, {
          name: `agent-secret-${id}`,
          service: 'openai',
          model: 'gpt-4o-mini',
        });
        await call('POST', '/api/v2/model/chat/completion', tenant, {
          agent_id: `agt_${id}`,
          user: 'hi',
          thread_id: `${secretThread}-${n}`,
        });
        await call('POST', '/v1/chat/completions', tenant, {
          model: 'openai/gpt-4o-mini',
          messages: [{ role: 'user', content: `secret ${id}` }],
        });
      };
      await round(0);
      const before = countSeries((await scrape(`Bearer ${METRICS_TOKEN}`)).text);
      for (let n = 1; n <= 30; n++) await round(n);
      const text = (await scrape(`Bearer ${METRICS_TOKEN}`)).text;

      const owned = text
        .split('\n')
        .filter((l) => !l.startsWith('#') && !COVERED_ELSEWHERE.some((p) => l.startsWith(p)));
      for (const secret of [
        secretOrg,
        secretUser,
        secretThread,
        'agent-secret-',
        'unknown-',
        g.fx.orgId,
        g.fx.agentId,
        g.fx.toolId,
      ]) {
        expect(owned.filter((l) => l.includes(secret))).toEqual([]);
      }
      // Route labels are route patterns (or "unmatched"), never a URL with an id in it.
      const routes = new Set([...text.matchAll(/route="([^"]*)"/g)].map((m) => m[1]));
      for (const route of routes)
        expect(route).toMatch(/^(unmatched|pipeline|\/[A-Za-z0-9_/:.-]*)$/);
      expect([...routes].filter((r) => /agt_|tool_|thread-secret/.test(r))).toEqual([]);
      // 210 requests to distinct ids and URLs: the series set did not grow with them.
      expect(countSeries(text) - before).toBeLessThan(40);
    });
  });
});
