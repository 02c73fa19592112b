import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { CallLogsService } from '../../src/modules/conversations/call-logs/call-logs.service';
import { ConversationsService } from '../../src/modules/conversations/conversations.service';
import { ProviderKeysService } from '../../src/modules/provider-keys/provider-keys.service';
import { ToolsService } from '../../src/modules/tools/tools.service';
import { authHeaders, signToken, startTestApp, type TestApp } from '../support/test-app';

/**
 * The management API over real HTTP against a whole gateway booted with `env`: embedded
 * (PGlite, generated encryption key) in the e2e tier, real servers in the integration tier.
 */
export function describeManagementApi(
  name: string,
  env: () => Record<string, string | undefined>,
  opts: { embedded: boolean },
): void {
  describe(name, () => {
    let t: TestApp;
    /** Org ids unique to this run: suites on real servers share their databases across runs. */
    const run = randomUUID().slice(0, 8);
    const o = (org: string) => `${org}-${run}`;
    const admin = (org = 'org-a') =>
      authHeaders(signToken({ sub: `admin-${org}`, org_id: o(org), scopes: ['admin'] }));
    const reader = (org = 'org-a') =>
      authHeaders(signToken({ sub: `reader-${org}`, org_id: o(org), scopes: [] }));

    beforeAll(async () => {
      t = await startTestApp(env());
    });
    afterAll(async () => {
      await t.close();
    });

    async function call(
      method: string,
      route: string,
      headers: Record<string, string>,
      body?: unknown,
    ) {
      // No body, no content-type: Fastify refuses an empty body declared as JSON.
      const { 'content-type': _ct, ...bare } = headers;
      const res = await fetch(`${t.url}${route}`, {
        method,
        headers: body === undefined ? bare : headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
    }

    const createTool = async (name: string, org = 'org-a', extra: object = {}) => {
      const res = await call('POST', '/api/v1/tools', admin(org), {
        name,
        url: 'https://tools.example.com/weather',
        parameters: { type: 'object', properties: { city: { type: 'string' } } },
        ...extra,
      });
      expect(res.status).toBe(201);
      return res.body.data as { id: string };
    };

    describe('agents', () => {
      it('runs a full CRUD flow in the envelope', async () => {
        const tool = await createTool('agent_flow_tool');
        const created = await call('POST', '/api/v1/agents', admin(), {
          name: 'support-bot',
          service: 'openai',
          model: 'gpt-4o-mini',
          prompt: 'Help {{customer}}.',
          configuration: { temperature: 0.2 },
          tool_ids: [tool.id],
          fallbacks: [{ service: 'anthropic', model: 'claude-sonnet-4-5' }],
          rate_limit: { per_minute: 10 },
        });
        expect(created.status).toBe(201);
        expect(created.body).toMatchObject({
          success: true,
          data: {
            id: expect.stringMatching(/^agt_/),
            org_id: o('org-a'),
            name: 'support-bot',
            tool_ids: [tool.id],
            cache_ttl: null,
            max_tool_iterations: 5,
            rate_limit: { per_minute: 10 },
          },
        });
        const id = created.body.data.id as string;

        const read = await call('GET', `/api/v1/agents/${id}`, reader());
        expect(read.status).toBe(200);
        expect(read.body.data).toEqual(created.body.data);

        const patched = await call('PATCH', `/api/v1/agents/${id}`, admin(), {
          model: 'gpt-4o',
          cache_ttl: 120,
          rate_limit: null,
        });
        expect(patched.status).toBe(200);
        expect(patched.body.data).toMatchObject({
          model: 'gpt-4o',
          cache_ttl: 120,
          rate_limit: null,
          name: 'support-bot',
        });

        const removed = await call('DELETE', `/api/v1/agents/${id}`, admin());
        expect(removed.status).toBe(200);
        expect(removed.body).toEqual({ success: true, data: { id, deleted: true } });
        expect((await call('GET', `/api/v1/agents/${id}`, admin())).status).toBe(404);
      });

      it('pages the list with limit and next_cursor', async () => {
        const org = 'org-paging';
        for (const name of ['p1', 'p2', 'p3']) {
          const res = await call('POST', '/api/v1/agents', admin(org), {
            name,
            service: 'groq',
            model: 'llama-3.1-8b-instant',
          });
          expect(res.status).toBe(201);
        }
        const first = await call('GET', '/api/v1/agents?limit=2', reader(org));
        expect(first.status).toBe(200);
        expect(first.body.data).toHaveLength(2);
        expect(typeof first.body.next_cursor).toBe('string');
        const second = await call(
          'GET',
          `/api/v1/agents?limit=2&cursor=${first.body.next_cursor}`,
          reader(org),
        );
        expect(second.body.data).toHaveLength(1);
        expect(second.body.next_cursor).toBeNull();
        const names = [...first.body.data, ...second.body.data].map(
          (a: { name: string }) => a.name,
        );
        expect(names.sort()).toEqual(['p1', 'p2', 'p3']);
        const bad = await call('GET', '/api/v1/agents?cursor=garbage', reader(org));
        expect(bad.status).toBe(400);
      });

      it('requires the admin scope to write (403) but not to read', async () => {
        const body = { name: 'nope', service: 'openai', model: 'gpt-4o-mini' };
        const res = await call('POST', '/api/v1/agents', reader(), body);
        expect(res.status).toBe(403);
        expect(res.body).toMatchObject({ success: false, error: { code: 'FORBIDDEN' } });
        expect((await call('GET', '/api/v1/agents', reader())).status).toBe(200);
        const anon = await call('GET', '/api/v1/agents', { 'content-type': 'application/json' });
        expect(anon.status).toBe(401);
      });

      it("answers 404 for another org's agent on read, update and delete", async () => {
        const created = await call('POST', '/api/v1/agents', admin('org-a'), {
          name: 'private-bot',
          service: 'openai',
          model: 'gpt-4o-mini',
        });
        const id = created.body.data.id as string;
        for (const [method, body] of [['GET'], ['PATCH', { model: 'x' }], ['DELETE']] as const) {
          const res = await call(method, `/api/v1/agents/${id}`, admin('org-b'), body);
          expect(res.status).toBe(404);
          expect(res.body.error.code).toBe('NOT_FOUND');
        }
        expect((await call('GET', `/api/v1/agents/${id}`, admin('org-a'))).body.data.model).toBe(
          'gpt-4o-mini',
        );
        const list = await call('GET', '/api/v1/agents', admin('org-b'));
        expect(list.body.data.map((a: { id: string }) => a.id)).not.toContain(id);
      });

      it('answers 409 for a duplicate name in the org', async () => {
        const body = { name: 'twin', service: 'openai', model: 'gpt-4o-mini' };
        expect((await call('POST', '/api/v1/agents', admin(), body)).status).toBe(201);
        const dup = await call('POST', '/api/v1/agents', admin(), body);
        expect(dup.status).toBe(409);
        expect(dup.body.error).toMatchObject({
          code: 'CONFLICT',
          message: expect.stringContaining('twin'),
        });
        expect((await call('POST', '/api/v1/agents', admin('org-c'), body)).status).toBe(201);
      });

      it.each([
        ['an unknown field', { surprise: 1 }, /surprise/],
        ['an unknown service', { service: 'skynet' }, /service must be one of: openai/],
        ['a prompt over 100k characters', { prompt: 'x'.repeat(100_001) }, /prompt is too long/],
        ['a tool of no such id', { tool_ids: ['tool_doesnotexist0000000000'] }, /no such tool/],
        ['a malformed tool id', { tool_ids: ['nope'] }, /tool_<id>/],
        ['a bad fallback', { fallbacks: [{ service: 'openai' }] }, /fallbacks\[0\]\.model/],
        ['an unknown rate-limit field', { rate_limit: { per_hour: 1 } }, /per_hour/],
      ])('rejects %s with 400 in the envelope', async (_label, extra, message) => {
        const res = await call('POST', '/api/v1/agents', admin(), {
          name: `bad-${Math.random()}`,
          service: 'openai',
          model: 'gpt-4o-mini',
          ...extra,
        });
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ success: false, error: { code: 'VALIDATION_FAILED' } });
        expect(res.body.error.message).toMatch(message);
      });

      it('rejects a tool of another org in tool_ids', async () => {
        const foreign = await createTool('foreign_tool', 'org-b');
        const res = await call('POST', '/api/v1/agents', admin('org-a'), {
          name: 'thief',
          service: 'openai',
          model: 'gpt-4o-mini',
          tool_ids: [foreign.id],
        });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain(foreign.id);
      });

      it('rejects malformed ids and null for required fields', async () => {
        const res = await call('GET', '/api/v1/agents/not-an-id', admin());
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(/agt_/);
        const created = await call('POST', '/api/v1/agents', admin(), {
          name: 'nullable',
          service: 'openai',
          model: 'gpt-4o-mini',
        });
        const patch = await call('PATCH', `/api/v1/agents/${created.body.data.id}`, admin(), {
          name: null,
        });
        expect(patch.status).toBe(400);
        expect(patch.body.error.message).toContain('name');
      });
    });

    describe('tools', () => {
      it('stores headers encrypted and never returns their values', async () => {
        const created = await call('POST', '/api/v1/tools', admin(), {
          name: 'get_weather',
          description: 'Weather by city',
          url: 'https://tools.example.com/weather',
          headers: { Authorization: 'Bearer tool-secret-123', 'X-Tenant': 'acme-tenant-9' },
        });
        expect(created.status).toBe(201);
        expect(created.body.data).toMatchObject({
          id: expect.stringMatching(/^tool_/),
          name: 'get_weather',
          method: 'POST',
          timeout_ms: 10000,
          header_names: ['Authorization', 'X-Tenant'],
          parameters: { type: 'object', properties: {} },
        });
        const id = created.body.data.id as string;
        const reads = [
          created,
          await call('GET', `/api/v1/tools/${id}`, reader()),
          await call('GET', '/api/v1/tools', reader()),
          await call('PATCH', `/api/v1/tools/${id}`, admin(), { timeout_ms: 2000 }),
        ];
        for (const r of reads) {
          expect(r.status).toBe(200 + (r === created ? 1 : 0));
          expect(r.text).not.toContain('tool-secret-123');
          expect(r.text).not.toContain('acme-tenant-9');
          expect(r.text).not.toContain('headers_sealed');
        }
        // Only the executor sees them, decrypted.
        const [exec] = await t.app.get(ToolsService).getMany(o('org-a'), [id]);
        expect(exec.headers).toEqual({
          Authorization: 'Bearer tool-secret-123',
          'X-Tenant': 'acme-tenant-9',
        });
        const cleared = await call('PATCH', `/api/v1/tools/${id}`, admin(), { headers: {} });
        expect(cleared.body.data.header_names).toEqual([]);
      });

      it.each([
        ['an invalid function name', { name: 'get weather!' }, /valid function name/],
        [
          'a schema that does not compile',
          { parameters: { type: 'object', properties: { a: { type: 'wizard' } } } },
          /not a valid JSON Schema/,
        ],
        ['a non-object schema', { parameters: { type: 'string' } }, /"type": "object"/],
        ['a non-http url', { url: 'ftp://example.com/x' }, /http\(s\) URL/],
        ['a header with a line break', { headers: { 'x-a': 'v\r\nx-b: 1' } }, /headers must be/],
        ['an unknown method', { method: 'TRACE' }, /method/],
      ])('rejects %s with 400', async (_label, extra, message) => {
        const res = await call('POST', '/api/v1/tools', admin(), {
          name: `t_${Math.random().toString(36).slice(2, 8)}`,
          url: 'https://tools.example.com/x',
          ...extra,
        });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(message);
      });

      it('answers 409 for a duplicate name and 404 across orgs', async () => {
        const tool = await createTool('dup_tool');
        const dup = await call('POST', '/api/v1/tools', admin(), {
          name: 'dup_tool',
          url: 'https://x.example.com',
        });
        expect(dup.status).toBe(409);
        expect((await call('GET', `/api/v1/tools/${tool.id}`, admin('org-b'))).status).toBe(404);
        expect((await call('DELETE', `/api/v1/tools/${tool.id}`, admin('org-b'))).status).toBe(404);
        expect((await call('DELETE', `/api/v1/tools/${tool.id}`, reader())).status).toBe(403);
        expect((await call('DELETE', `/api/v1/tools/${tool.id}`, admin())).status).toBe(200);
      });
    });

    describe('provider keys', () => {
      const secret = 'sk-proj-SUPERSECRET-0123456789-abcd';

      it('stores the key encrypted, returns it masked only, and resolves it for the org', async () => {
        const created = await call('POST', '/api/v1/provider-keys', admin('org-keys'), {
          service: 'openai',
          api_key: secret,
        });
        expect(created.status).toBe(201);
        expect(created.body.data).toMatchObject({
          id: expect.stringMatching(/^pkey_/),
          service: 'openai',
          masked_key: 'sk-...abcd',
          base_url: null,
          weight: 1,
          name: null,
        });
        const id = created.body.data.id as string;
        const list = await call('GET', '/api/v1/provider-keys', reader('org-keys'));
        const one = await call('GET', `/api/v1/provider-keys/${id}`, reader('org-keys'));
        for (const r of [created, list, one]) {
          expect(r.text).not.toContain('SUPERSECRET');
          expect(r.text).not.toContain('key_sealed');
        }
        expect(list.body.data).toHaveLength(1);
        expect(await t.app.get(ProviderKeysService).resolve(o('org-keys'), 'openai')).toEqual({
          apiKey: secret,
          weight: 1,
        });
        expect(
          await t.app.get(ProviderKeysService).resolve(o('org-other'), 'openai'),
        ).toBeUndefined();

        // A second key for the same service joins the org's weighted pool.
        const second = await call('POST', '/api/v1/provider-keys', admin('org-keys'), {
          service: 'openai',
          api_key: 'sk-another-key-0000',
          weight: 3,
          name: 'eu project',
        });
        expect(second.status).toBe(201);
        expect(second.body.data).toMatchObject({ weight: 3, name: 'eu project' });
        const pool = await call('GET', '/api/v1/provider-keys', reader('org-keys'));
        expect(pool.body.data.map((k: { weight: number }) => k.weight)).toEqual([1, 3]);
        expect(pool.text).not.toContain('another-key');
        expect(await t.app.get(ProviderKeysService).resolveAll(o('org-keys'), 'openai')).toEqual([
          { apiKey: secret, weight: 1 },
          { apiKey: 'sk-another-key-0000', weight: 3 },
        ]);

        const patched = await call('PATCH', `/api/v1/provider-keys/${id}`, admin('org-keys'), {
          api_key: 'sk-rotated-key-9999',
          weight: 2,
        });
        expect(patched.body.data).toMatchObject({ masked_key: 'sk-...9999', weight: 2 });
        // Another org neither sees nor changes these keys, and resolves none of them.
        expect((await call('GET', `/api/v1/provider-keys/${id}`, admin('org-b'))).status).toBe(404);
        expect(
          (await call('PATCH', `/api/v1/provider-keys/${id}`, admin('org-b'), { weight: 9 }))
            .status,
        ).toBe(404);
        expect((await call('GET', '/api/v1/provider-keys', admin('org-b'))).body.data).toEqual([]);
        expect(await t.app.get(ProviderKeysService).resolveAll(o('org-b'), 'openai')).toEqual([]);
        for (const key of [id, second.body.data.id as string]) {
          expect(
            (await call('DELETE', `/api/v1/provider-keys/${key}`, admin('org-keys'))).status,
          ).toBe(200);
        }
        expect(
          await t.app.get(ProviderKeysService).resolve(o('org-keys'), 'openai'),
        ).toBeUndefined();
      });

      it.each([
        ['0', 0],
        ['a negative', -1],
        ['a fractional', 1.5],
        ['over 1000', 1001],
        ['a string', '3'],
        ['null', null],
      ])('rejects %s weight with 400 naming it, on create and on update', async (_what, weight) => {
        const bad = await call('POST', '/api/v1/provider-keys', admin('org-w'), {
          service: 'groq',
          api_key: 'gsk-weight-0123456789',
          weight,
        });
        expect(bad.status).toBe(400);
        expect(bad.body.error).toMatchObject({ code: 'VALIDATION_FAILED' });
        expect(bad.body.error.message).toContain('weight');
        const ok = await call('POST', '/api/v1/provider-keys', admin('org-w'), {
          service: 'groq',
          api_key: 'gsk-weight-0123456789',
        });
        const patch = await call(
          'PATCH',
          `/api/v1/provider-keys/${ok.body.data.id}`,
          admin('org-w'),
          {
            weight,
          },
        );
        expect(patch.status).toBe(400);
        expect(patch.body.error.message).toContain('weight');
        await call('DELETE', `/api/v1/provider-keys/${ok.body.data.id}`, admin('org-w'));
      });

      it('rejects NaN (not JSON) as a weight with 400', async () => {
        const res = await fetch(`${t.url}/api/v1/provider-keys`, {
          method: 'POST',
          headers: admin('org-w'),
          body: '{"service":"groq","api_key":"gsk-weight-0123456789","weight":NaN}',
        });
        expect(res.status).toBe(400);
        expect(await res.text()).not.toContain('gsk-weight');
      });

      it('rejects an unknown service, a key with spaces, a service change and non-admins', async () => {
        const bad = await call('POST', '/api/v1/provider-keys', admin(), {
          service: 'nope',
          api_key: 'sk-0123456789',
        });
        expect(bad.status).toBe(400);
        const spaces = await call('POST', '/api/v1/provider-keys', admin(), {
          service: 'groq',
          api_key: 'gsk 0123456789',
        });
        expect(spaces.status).toBe(400);
        const created = await call('POST', '/api/v1/provider-keys', admin(), {
          service: 'mistral',
          api_key: 'mistral-key-0123456789',
        });
        const change = await call(
          'PATCH',
          `/api/v1/provider-keys/${created.body.data.id}`,
          admin(),
          {
            service: 'openai',
          },
        );
        expect(change.status).toBe(400);
        expect(change.body.error.message).toContain('service');
        const forbidden = await call('POST', '/api/v1/provider-keys', reader(), {
          service: 'gemini',
          api_key: 'gemini-key-0123456789',
        });
        expect(forbidden.status).toBe(403);
      });

      if (opts.embedded) {
        it('generated the embedded encryption key file with owner-only permissions', () => {
          const mode = statSync(path.join(t.dataDir, 'encryption.key')).mode & 0o777;
          expect(mode).toBe(0o600);
        });
      } else {
        it('uses ENCRYPTION_KEY and writes no key file', () => {
          expect(existsSync(path.join(t.dataDir, 'encryption.key'))).toBe(false);
        });
      }
    });

    describe('threads', () => {
      it('lists a thread in order with pagination, per org and sub-thread', async () => {
        const conversations = t.app.get(ConversationsService);
        for (let i = 1; i <= 3; i++) {
          await conversations.appendExchange(
            o('org-a'),
            'thread-e2e',
            undefined,
            [
              { role: 'user', content: `q${i}` },
              { role: 'assistant', content: `a${i}`, model: 'gpt-4o-mini', service: 'openai' },
            ],
            { createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)) },
          );
        }
        await conversations.appendExchange(o('org-a'), 'thread-e2e', 'side', [
          { role: 'user', content: 'side question' },
        ]);
        const first = await call('GET', '/api/v1/threads/thread-e2e/messages?limit=4', reader());
        expect(first.status).toBe(200);
        expect(first.body.data.map((m: { content: string }) => m.content)).toEqual([
          'q1',
          'a1',
          'q2',
          'a2',
        ]);
        const rest = await call(
          'GET',
          `/api/v1/threads/thread-e2e/messages?limit=4&cursor=${first.body.next_cursor}`,
          reader(),
        );
        expect(rest.body.data.map((m: { content: string }) => m.content)).toEqual(['q3', 'a3']);
        expect(rest.body.next_cursor).toBeNull();
        const side = await call(
          'GET',
          '/api/v1/threads/thread-e2e/messages?sub_thread_id=side',
          reader(),
        );
        expect(side.body.data.map((m: { content: string }) => m.content)).toEqual([
          'side question',
        ]);
        const other = await call('GET', '/api/v1/threads/thread-e2e/messages', reader('org-b'));
        expect(other.status).toBe(404);
        const badId = await call('GET', '/api/v1/threads/bad%20id/messages', reader());
        expect(badId.status).toBe(400);
        const badLimit = await call('GET', '/api/v1/threads/thread-e2e/messages?limit=0', reader());
        expect(badLimit.status).toBe(400);
        const unknown = await call('GET', '/api/v1/threads/thread-e2e/messages?x=1', reader());
        expect(unknown.status).toBe(400);

        expect((await call('DELETE', '/api/v1/threads/thread-e2e', reader())).status).toBe(403);
        const deleted = await call('DELETE', '/api/v1/threads/thread-e2e', admin());
        expect(deleted.body.data).toEqual({ thread_id: 'thread-e2e', deleted_messages: 7 });
      });
    });

    describe('call logs', () => {
      it("lists the org's completions newest first, for admins", async () => {
        const logs = t.app.get(CallLogsService);
        await logs.record({
          org_id: o('org-logs'),
          service: 'openai',
          model: 'gpt-4o-mini',
          outcome: 'success',
          latency_ms: 42,
          input_tokens: 3,
          output_tokens: 4,
        });
        const res = await call('GET', '/api/v1/call-logs', admin('org-logs'));
        expect(res.status).toBe(200);
        expect(res.body.data).toEqual([
          expect.objectContaining({ model: 'gpt-4o-mini', total_tokens: 7, latency_ms: 42 }),
        ]);
        expect((await call('GET', '/api/v1/call-logs', reader('org-logs'))).status).toBe(403);
        expect((await call('GET', '/api/v1/call-logs', admin('org-b'))).body.data).toEqual([]);
      });
    });

    it('documents every management route in Swagger with bearer auth', async () => {
      const doc = (await call('GET', '/docs-json', {})).body;
      for (const p of [
        '/api/v1/agents',
        '/api/v1/agents/{id}',
        '/api/v1/tools',
        '/api/v1/tools/{id}',
        '/api/v1/provider-keys',
        '/api/v1/provider-keys/{id}',
        '/api/v1/threads/{thread_id}/messages',
        '/api/v1/call-logs',
      ]) {
        expect(doc.paths[p]).toBeDefined();
      }
      expect(doc.paths['/api/v1/agents'].post.security).toEqual(
        expect.arrayContaining([{ bearer: [] }]),
      );
      expect(doc.components.schemas.CreateAgentDto.properties.prompt.maxLength).toBe(100000);
    });
  });
}
