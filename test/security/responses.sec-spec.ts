import { ResponsesStore } from '../../src/modules/responses';
import { callJson, type JsonCall } from '../support/json';
import { authHeaders } from '../support/test-app';
import { expectRefusal } from './support/expect-refusal';
import { responseProblem } from './support/envelope';
import { LivenessPoller } from './support/liveness-probe';
import { sendRaw, type RawResponse } from './support/raw-http';
import { startSecurityGateway, type SecurityGateway } from './support/security-gateway';

/**
 * The Responses API's server state under attack: another org's response, conversation, item,
 * agent (`prompt`) and stored tool by id; hostile input on every new route (webhook URLs at
 * internal addresses, oversized and malformed bodies and ids); abuse of state (chains of
 * `previous_response_id`, cancel and delete in the wrong order); and secrets kept out of
 * stored bodies and errors.
 */
const MODEL = 'openai/gpt-4o-mini';
/** gpt-4o-mini's context window in the catalog. */
const CONTEXT_WINDOW = 128_000;
const BUDGET_MS = 500;

const repeat = <T>(n: number, f: (i: number) => T): T[] =>
  Array.from({ length: n }, (_, i) => f(i));

describe('responses: tenancy, hostile input, state abuse, secrets', () => {
  let g: SecurityGateway;
  const admin = () => authHeaders(g.fx.adminToken);
  const user = () => authHeaders(g.fx.userToken);
  const other = () => authHeaders(g.fx.otherOrgToken);
  const call = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
    callJson(g.gw.url, method, path, headers, body);
  const create = (headers: Record<string, string>, body: Record<string, unknown>) =>
    call('POST', '/v1/responses', headers, { model: MODEL, input: 'hello', ...body });
  /** The raw request, so any path and body bytes reach the gateway as written. */
  const raw = (
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: string | Buffer,
  ): Promise<RawResponse> => {
    const { 'content-type': type, ...bare } = headers;
    return sendRaw(
      g.gw.url,
      {
        method,
        path,
        headers: body === undefined ? bare : { ...bare, 'content-type': type },
        body,
      },
      { timeoutMs: 120_000 },
    );
  };
  const ok = (res: JsonCall, status = 200): JsonCall => {
    if (res.status !== status)
      throw new Error(`expected ${status}, got ${res.status}: ${res.text}`);
    return res;
  };

  let respId: string;
  let convId: string;
  let itemId: string;
  /** A background response whose upstream call waits a minute: still pending when attacked. */
  let pendingId: string;

  beforeAll(async () => {
    // The mock answers in its own process: the event-loop probe below measures only the gateway.
    g = await startSecurityGateway({}, { mockInOwnProcess: true });
    respId = ok(await create(admin(), { input: 'first', metadata: { topic: 'owner' } })).body.id;
    convId = ok(
      await call('POST', '/v1/conversations', admin(), {
        items: [{ type: 'message', role: 'user', content: 'owner item' }],
        metadata: { topic: 'owner' },
      }),
    ).body.id;
    const items = ok(await call('GET', `/v1/conversations/${convId}/items`, admin()));
    itemId = items.body.data[0].id;
    pendingId = ok(
      await create(admin(), { input: '#mock{"delay_ms":60000} slow', background: true }),
    ).body.id;
  });
  afterAll(async () => {
    // Stops the pending run's upstream call, so closing does not wait for it.
    if (pendingId) await call('POST', `/v1/responses/${pendingId}/cancel`, admin());
    await g?.close();
  });

  describe("another org's records", () => {
    interface Route {
      method: string;
      what: string;
      path: () => string;
      body?: unknown;
    }
    const routes: Route[] = [
      { method: 'GET', what: 'response', path: () => `/v1/responses/${respId}` },
      { method: 'GET', what: 'input items', path: () => `/v1/responses/${respId}/input_items` },
      { method: 'DELETE', what: 'response', path: () => `/v1/responses/${respId}` },
      { method: 'POST', what: 'cancel', path: () => `/v1/responses/${pendingId}/cancel` },
      { method: 'GET', what: 'conversation', path: () => `/v1/conversations/${convId}` },
      {
        method: 'POST',
        what: 'conversation metadata',
        path: () => `/v1/conversations/${convId}`,
        body: { metadata: { topic: 'hijacked' } },
      },
      { method: 'DELETE', what: 'conversation', path: () => `/v1/conversations/${convId}` },
      { method: 'GET', what: 'items', path: () => `/v1/conversations/${convId}/items` },
      {
        method: 'POST',
        what: 'items',
        path: () => `/v1/conversations/${convId}/items`,
        body: { items: [{ type: 'message', role: 'user', content: 'injected' }] },
      },
      { method: 'GET', what: 'item', path: () => `/v1/conversations/${convId}/items/${itemId}` },
    ];

    it.each(routes)('$method $what of another org: 404', async ({ method, path, body }) => {
      const res = await raw(
        method,
        path(),
        other(),
        body === undefined ? undefined : JSON.stringify(body),
      );
      expectRefusal(res, { method, path: path() }, 404);
      expect(res.text).not.toContain('owner');
    });

    it.each([
      ['previous_response_id', () => ({ previous_response_id: respId })],
      ['conversation (an id)', () => ({ conversation: convId })],
      ['conversation ({id})', () => ({ conversation: { id: convId } })],
      ['prompt.id (a stored agent)', () => ({ model: undefined, prompt: { id: g.fx.agentId } })],
      [
        'previous_response_id, in background',
        () => ({ previous_response_id: respId, background: true }),
      ],
    ])("%s of another org: 404, nothing of the owner's", async (_what, body) => {
      const res = await raw(
        'POST',
        '/v1/responses',
        other(),
        JSON.stringify({ model: MODEL, input: 'x', ...body() }),
      );
      expectRefusal(res, { method: 'POST', path: '/v1/responses' }, 404);
      expect(res.text).not.toMatch(/owner|first|You help/);
    });

    it("a stored_tool of another org: refused, naming nothing of the tool's", async () => {
      const res = await raw(
        'POST',
        '/v1/responses',
        other(),
        JSON.stringify({
          model: MODEL,
          input: 'x',
          tools: [{ type: 'stored_tool', tool_id: g.fx.toolId }],
        }),
      );
      expect([400, 404]).toContain(res.status);
      expectRefusal(res, { method: 'POST', path: '/v1/responses' }, res.status);
      expect(res.text).not.toMatch(/get_weather|tools\.example\.com|Weather for a city/);
    });

    it("leaves the owner's records as they were", async () => {
      const resp = ok(await call('GET', `/v1/responses/${respId}`, admin()));
      expect(resp.body.metadata).toEqual({ topic: 'owner' });
      const conv = ok(await call('GET', `/v1/conversations/${convId}`, admin()));
      expect(conv.body.metadata).toEqual({ topic: 'owner' });
      const items = ok(await call('GET', `/v1/conversations/${convId}/items`, admin()));
      expect(items.text).not.toContain('injected');
      const pending = ok(await call('GET', `/v1/responses/${pendingId}`, admin()));
      expect(['queued', 'in_progress']).toContain(pending.body.status);
    });
  });

  describe('scopes', () => {
    it('deleting a conversation deletes its thread: it needs admin, as DELETE /api/v1/threads does', async () => {
      const conv = ok(await call('POST', '/v1/conversations', user(), {})).body.id as string;
      for (const path of [`/v1/conversations/${conv}`, `/api/v1/threads/${conv}`]) {
        expectRefusal(await raw('DELETE', path, user()), { method: 'DELETE', path }, 403);
      }
      ok(await call('GET', `/v1/conversations/${conv}`, user()));
      ok(await call('DELETE', `/v1/conversations/${conv}`, admin()));
      ok(await call('GET', `/v1/conversations/${conv}`, user()), 404);
    });

    it('the same with a gateway API key without scopes, sent as x-api-key', async () => {
      const key = ok(
        await call('POST', '/api/v1/api-keys', admin(), { name: 'no-scopes', scopes: [] }),
        201,
      ).body.data.secret as string;
      const keyed = { 'x-api-key': key, 'content-type': 'application/json' };
      const conv = ok(await call('POST', '/v1/conversations', keyed, {})).body.id as string;
      const path = `/v1/conversations/${conv}`;
      expectRefusal(await raw('DELETE', path, keyed), { method: 'DELETE', path }, 403);
      ok(await call('GET', path, keyed));
    });

    it('a response is created, read and deleted without a scope (the SDK flow for any key)', async () => {
      const id = ok(await create(user(), {})).body.id as string;
      ok(await call('GET', `/v1/responses/${id}`, user()));
      ok(await call('DELETE', `/v1/responses/${id}`, user()));
    });
  });

  describe('hostile input', () => {
    it.each([
      'http://127.0.0.1/hook',
      'http://127.1/hook',
      'http://0/hook',
      'http://2130706433/hook',
      'http://0x7f000001/hook',
      'http://0177.0.0.1/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.7/hook',
      'http://192.168.1.1/hook',
      'http://[::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://[::ffff:a9fe:a9fe]/hook',
      'http://user:pw@127.0.0.1:8080/hook',
      'file:///etc/passwd',
      'gopher://127.0.0.1:6379/_FLUSHALL',
      'ftp://hooks.example.com/x',
      'not a url',
    ])('x-webhook-url %s: 400 at submission, nothing queued', async (url) => {
      const res = await raw(
        'POST',
        '/v1/responses',
        { ...admin(), 'x-webhook-url': url },
        JSON.stringify({ model: MODEL, input: 'x', background: true }),
      );
      expectRefusal(res, { method: 'POST', path: '/v1/responses' }, 400, /x-webhook-url/);
      expect(JSON.parse(res.text).error.param).toBe('x-webhook-url');
    });

    const nested = (depth: number): unknown =>
      depth === 0 ? 'x' : [{ type: 'input_text', text: nested(depth - 1) }];
    const bodies: Array<[string, () => string | Buffer, number[]]> = [
      [
        '100,000 input items',
        () =>
          JSON.stringify({
            model: MODEL,
            input: repeat(100_000, () => ({ role: 'user', content: 'x' })),
          }),
        [400],
      ],
      [
        'input content nested 40 deep',
        () => JSON.stringify({ model: MODEL, input: [{ role: 'user', content: nested(40) }] }),
        [400],
      ],
      [
        'input content nested 10,000 deep',
        () => `{"model":"${MODEL}","input":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
        [400],
      ],
      [
        'a 10 MiB input string',
        () => JSON.stringify({ model: MODEL, input: 'x'.repeat(10 * 1024 * 1024) }),
        [413],
      ],
      ['NUL in input text', () => JSON.stringify({ model: MODEL, input: 'a\u0000b' }), [400]],
      [
        'NUL in an input item',
        () =>
          JSON.stringify({
            model: MODEL,
            input: [{ role: 'user', content: [{ type: 'input_text', text: 'a\u0000' }] }],
          }),
        [400],
      ],
      ['a lone surrogate in input text', () => `{"model":"${MODEL}","input":"a\\ud800b"}`, [400]],
      [
        'a lone surrogate in metadata',
        () => `{"model":"${MODEL}","input":"x","metadata":{"k":"\\udc00"}}`,
        [400],
      ],
      [
        'NUL in a metadata key',
        () => JSON.stringify({ model: MODEL, input: 'x', metadata: { 'a\u0000': 'v' } }),
        [400],
      ],
      [
        'metadata with 17 keys',
        () =>
          JSON.stringify({
            model: MODEL,
            input: 'x',
            metadata: Object.fromEntries(repeat(17, (i) => [`k${i}`, 'v'])),
          }),
        [400],
      ],
      [
        'metadata with a number value',
        () => JSON.stringify({ model: MODEL, input: 'x', metadata: { k: 1 } }),
        [400],
      ],
      [
        'metadata with an object value',
        () => JSON.stringify({ model: MODEL, input: 'x', metadata: { k: { v: 'x' } } }),
        [400],
      ],
      [
        'metadata with a 65-character key',
        () => JSON.stringify({ model: MODEL, input: 'x', metadata: { ['k'.repeat(65)]: 'v' } }),
        [400],
      ],
      [
        'metadata with a 1 MB value',
        () => JSON.stringify({ model: MODEL, input: 'x', metadata: { k: 'v'.repeat(1e6) } }),
        [400],
      ],
      [
        'NUL in previous_response_id',
        () => JSON.stringify({ model: MODEL, input: 'x', previous_response_id: 'resp_a\u0000' }),
        [400],
      ],
      [
        'previous_response_id with dot segments',
        () => JSON.stringify({ model: MODEL, input: 'x', previous_response_id: '../../resp_a' }),
        [400, 404],
      ],
      [
        'a 500-character previous_response_id',
        () => JSON.stringify({ model: MODEL, input: 'x', previous_response_id: 'r'.repeat(500) }),
        [400],
      ],
      [
        'a conversation id with dot segments',
        () => JSON.stringify({ model: MODEL, input: 'x', conversation: '../threads/x' }),
        [400, 404],
      ],
      [
        'a 500-character conversation id',
        () => JSON.stringify({ model: MODEL, input: 'x', conversation: { id: 'c'.repeat(500) } }),
        [400],
      ],
      [
        'NUL in a prompt id',
        () => JSON.stringify({ input: 'x', prompt: { id: 'agt_\u0000' } }),
        [400],
      ],
      [
        'a stored_tool id of 500 characters',
        () =>
          JSON.stringify({
            model: MODEL,
            input: 'x',
            tools: [{ type: 'stored_tool', tool_id: 't'.repeat(500) }],
          }),
        [400, 404],
      ],
      [
        '1,000 stored tools',
        () =>
          JSON.stringify({
            model: MODEL,
            input: 'x',
            tools: repeat(1000, (i) => ({ type: 'stored_tool', tool_id: `tool_${i}` })),
          }),
        [400],
      ],
    ];

    it.each(bodies)(
      'POST /v1/responses with %s: a 4xx in OpenAI shape',
      async (_n, body, codes) => {
        const res = await raw('POST', '/v1/responses', admin(), body());
        expect(codes).toContain(res.status);
        expectRefusal(res, { method: 'POST', path: '/v1/responses' }, res.status);
      },
    );

    it('POST /v1/conversations and .../items refuse the same (17 metadata keys, NUL, 21 items)', async () => {
      const cases: Array<[string, string]> = [
        [
          '/v1/conversations',
          JSON.stringify({ metadata: Object.fromEntries(repeat(17, (i) => [`k${i}`, 'v'])) }),
        ],
        ['/v1/conversations', JSON.stringify({ metadata: { k: 5 } })],
        ['/v1/conversations', '{"metadata":{"k":"\\ud800"}}'],
        [
          '/v1/conversations',
          JSON.stringify({ items: repeat(21, () => ({ role: 'user', content: 'x' })) }),
        ],
        [
          '/v1/conversations',
          JSON.stringify({ items: repeat(100_000, () => ({ role: 'user', content: 'x' })) }),
        ],
        [`/v1/conversations/${convId}`, JSON.stringify({ metadata: { k: 'a\u0000' } })],
        [
          `/v1/conversations/${convId}/items`,
          JSON.stringify({ items: [{ role: 'user', content: [{ type: 'input_text', text: 5 }] }] }),
        ],
        [
          `/v1/conversations/${convId}/items`,
          JSON.stringify({ items: [{ type: 'item_reference' }] }),
        ],
      ];
      for (const [path, body] of cases) {
        const res = await raw('POST', path, admin(), body);
        expectRefusal(res, { method: 'POST', path }, 400);
      }
    });

    const badIds = [
      '..',
      '%2e%2e',
      '..%2F..%2Fapi%2Fv1%2Fagents',
      'resp_..',
      '%00',
      'resp_%00',
      'resp_a%00b',
      `resp_${'a'.repeat(500)}`,
      'a'.repeat(500),
      '%ED%A0%80',
      'resp_%E0%A4%A',
      'resp_%25',
      'conv_%0d%0aX-Injected:%201',
    ];
    const idRoutes = (id: string): Array<[string, string]> => [
      ['GET', `/v1/responses/${id}`],
      ['GET', `/v1/responses/${id}/input_items`],
      ['DELETE', `/v1/responses/${id}`],
      ['POST', `/v1/responses/${id}/cancel`],
      ['GET', `/v1/conversations/${id}`],
      ['DELETE', `/v1/conversations/${id}`],
      ['GET', `/v1/conversations/${id}/items`],
      ['GET', `/v1/conversations/${convId}/items/${id}`],
      ['GET', `/v1/conversations/${id}/items/${itemId}`],
      ['GET', `/v1/responses/${respId}/input_items?after=${id}`],
      ['GET', `/v1/conversations/${convId}/items?after=${id}`],
    ];

    it.each(badIds)('path id %s on every route: a 4xx in OpenAI shape', async (id) => {
      for (const [method, path] of idRoutes(id)) {
        const res = await raw(method, path, admin());
        const problem = responseProblem(path, method, res);
        expect({ method, path, problem, status: res.status < 500 && res.status >= 400 }).toEqual({
          method,
          path,
          problem: undefined,
          status: true,
        });
        expect(res.headers['x-injected']).toBeUndefined();
      }
    });
  });

  describe('state', () => {
    it('cancel of a response made without background: 400', async () => {
      const path = `/v1/responses/${respId}/cancel`;
      expectRefusal(await raw('POST', path, admin()), { method: 'POST', path }, 400);
      expect(ok(await call('GET', `/v1/responses/${respId}`, admin())).body.status).toBe(
        'completed',
      );
    });

    it('cancel twice: the same cancelled response both times', async () => {
      const id = ok(
        await create(admin(), { input: '#mock{"delay_ms":60000} slow', background: true }),
      ).body.id as string;
      const first = ok(await call('POST', `/v1/responses/${id}/cancel`, admin()));
      const second = ok(await call('POST', `/v1/responses/${id}/cancel`, admin()));
      expect(first.body.status).toBe('cancelled');
      expect(second.body).toEqual(first.body);
      expect(ok(await call('GET', `/v1/responses/${id}`, admin())).body.status).toBe('cancelled');
    });

    it('delete, then every route of that id: 404', async () => {
      const id = ok(await create(admin(), { input: 'to delete' })).body.id as string;
      ok(await call('DELETE', `/v1/responses/${id}`, admin()));
      for (const [method, path, body] of [
        ['GET', `/v1/responses/${id}`],
        ['GET', `/v1/responses/${id}/input_items`],
        ['DELETE', `/v1/responses/${id}`],
        ['POST', `/v1/responses/${id}/cancel`],
        [
          'POST',
          '/v1/responses',
          JSON.stringify({ model: MODEL, input: 'x', previous_response_id: id }),
        ],
      ] as Array<[string, string, string?]>) {
        expectRefusal(await raw(method, path, admin(), body), { method, path }, 404);
      }
    });

    it('a deleted conversation: 404 on its routes and as a conversation to respond in', async () => {
      const id = ok(await call('POST', '/v1/conversations', admin(), {})).body.id as string;
      ok(await call('DELETE', `/v1/conversations/${id}`, admin()));
      for (const [method, path, body] of [
        ['GET', `/v1/conversations/${id}`],
        ['GET', `/v1/conversations/${id}/items`],
        ['POST', '/v1/responses', JSON.stringify({ model: MODEL, input: 'x', conversation: id })],
      ] as Array<[string, string, string?]>) {
        expectRefusal(await raw(method, path, admin(), body), { method, path }, 404);
      }
    });

    it.each([
      ['store: false', { store: false }, 'store'],
      ['stream: true', { stream: true }, 'stream'],
    ])('background with %s: 400 naming it', async (_n, extra, param) => {
      const res = await raw(
        'POST',
        '/v1/responses',
        admin(),
        JSON.stringify({ model: MODEL, input: 'x', background: true, ...extra }),
      );
      expectRefusal(res, { method: 'POST', path: '/v1/responses' }, 400);
      expect(JSON.parse(res.text).error.param).toBe(param);
    });

    it('a response made with store: false cannot be read or continued', async () => {
      const id = ok(await create(admin(), { store: false })).body.id as string;
      ok(await call('GET', `/v1/responses/${id}`, admin()), 404);
      ok(await create(admin(), { previous_response_id: id }), 404);
    });

    it('a chain of 200 previous_response_ids: the stored context stops growing at the context window', async () => {
      const store = g.gw.app.get(ResponsesStore);
      // Each turn adds ~4,000 characters (the input and its echo): ~200,000 tokens in all,
      // more than gpt-4o-mini's window, so the chain must be trimmed, not sent whole.
      const turn = (i: number) => `turn ${i} ${'w'.repeat(2000)}`;
      let previous: string | undefined;
      const sizes: number[] = [];
      let maxInputTokens = 0;
      for (let i = 0; i < 200; i++) {
        const res = ok(
          await create(admin(), {
            input: turn(i),
            ...(previous ? { previous_response_id: previous } : {}),
          }),
        );
        previous = res.body.id as string;
        maxInputTokens = Math.max(maxInputTokens, res.body.usage.input_tokens as number);
        const record = await store.getOrThrow(g.fx.orgId, previous);
        sizes.push(JSON.stringify(record.context).length);
      }
      console.log(
        `[responses] chain of 200: stored context at 50/100/150/200: ${[49, 99, 149, 199]
          .map((i) => sizes[i])
          .join(' / ')} characters; largest upstream input ${maxInputTokens} tokens`,
      );
      // What the model was sent fits its window (the mock counts ~4 characters a token).
      expect(maxInputTokens).toBeLessThanOrEqual(CONTEXT_WINDOW);
      // Bounded: the last 50 responses store no more than the window's worth each.
      expect(Math.max(...sizes.slice(150))).toBeLessThan(CONTEXT_WINDOW * 4 * 1.1);
      // And the newest turn is always kept.
      const last = await store.getOrThrow(g.fx.orgId, previous!);
      expect(JSON.stringify(last.context)).toContain('turn 199 ');
      expect(JSON.stringify(last.context)).not.toContain('turn 0 ');
      // Continuing the chain still answers.
      ok(await create(admin(), { input: 'and now?', previous_response_id: previous }));
    }, 300_000);
  });

  describe('secrets', () => {
    it("provider keys, the webhook secret and the caller's credentials stay out of stored responses and errors", async () => {
      const secret = ok(await call('GET', '/api/v1/webhook-secret', admin())).body.data
        .secret as string;
      expect(secret.length).toBeGreaterThan(8);
      // The org's mistral key (sk-sec-0123456789) is used; the upstream refuses it.
      const failed = await create(admin(), {
        model: 'mistral/mistral-small-latest',
        input: '#mock{"status":401} x',
      });
      expect(failed.status).toBeGreaterThanOrEqual(400);
      expect(failed.status).toBeLessThan(600);
      const bg = ok(
        await call(
          'POST',
          '/v1/responses',
          { ...admin(), 'x-webhook-url': 'https://hooks.example.com/responses' },
          {
            model: 'mistral/mistral-small-latest',
            input: '#mock{"status":400} x',
            background: true,
          },
        ),
      ).body.id as string;
      const store = g.gw.app.get(ResponsesStore);
      // Its run fails at once (an upstream 400 is the response's outcome): poll its record
      // until the worker has written that outcome.
      let record = await store.getOrThrow(g.fx.orgId, bg);
      const deadline = Date.now() + 30_000;
      while (['queued', 'in_progress'].includes(record.status) && Date.now() < deadline) {
        await new Promise((r) => setImmediate(r));
        record = await store.getOrThrow(g.fx.orgId, bg);
      }
      expect(record.status).toBe('failed');
      const ok1 = ok(await create(admin(), { model: 'mistral/mistral-small-latest', input: 'x' }));
      const texts = [
        failed.text,
        ok1.text,
        JSON.stringify(await store.getOrThrow(g.fx.orgId, bg)),
        JSON.stringify(await store.getOrThrow(g.fx.orgId, ok1.body.id as string)),
        (await call('GET', `/v1/responses/${bg}`, admin())).text,
      ];
      for (const text of texts) {
        for (const s of ['sk-sec-0123456789', secret, g.fx.adminToken, 'authorization']) {
          expect(text).not.toContain(s);
        }
      }
    });
  });

  describe('event-loop probe', () => {
    let poller: LivenessPoller;
    let longChain: string;

    beforeAll(async () => {
      poller = new LivenessPoller(g.gw.url);
      await poller.reset();
      // A stored context near the window: 60 turns of ~8,000 characters.
      let previous: string | undefined;
      for (let i = 0; i < 60; i++) {
        const res = ok(
          await create(admin(), {
            input: `long ${i} ${'z'.repeat(4000)}`,
            ...(previous ? { previous_response_id: previous } : {}),
          }),
        );
        previous = res.body.id as string;
      }
      longChain = previous!;
    }, 300_000);
    afterAll(() => poller?.stop());

    const worst: Array<[string, () => string]> = [
      [
        '100,000 input items',
        () =>
          JSON.stringify({
            model: MODEL,
            input: repeat(100_000, () => ({ role: 'user', content: 'x' })),
          }),
      ],
      [
        '2,048 input items of 5 parts each (valid, within every limit)',
        () =>
          JSON.stringify({
            model: MODEL,
            input: repeat(2048, () => ({
              role: 'user',
              content: repeat(5, () => ({ type: 'input_text', text: 'x' })),
            })),
          }),
      ],
      [
        // A stored response holds its text three times (the body's output, input_items and the
        // context: input and output again), written in one insert; on embedded PGlite, which
        // runs in this process, a 4 MB input held the loop 365-572 ms, at the budget. 2 MB is
        // what this probe holds to the budget (see the README's input limits).
        'a 2 MB input, valid, answered (echoed) and stored',
        () => JSON.stringify({ model: MODEL, input: 'x'.repeat(2 * 1024 * 1024) }),
      ],
      [
        'a continuation of a chain whose stored context fills the window',
        () => JSON.stringify({ model: MODEL, input: 'next', previous_response_id: longChain }),
      ],
    ];

    it.each(worst)(
      '%s',
      async (_name, build) => {
        const body = Buffer.from(build());
        const measure = async () => {
          await poller.reset();
          const res = await raw('POST', '/v1/responses', admin(), body);
          return { res, ...(await poller.report()) };
        };
        const cold = await measure();
        const warm = await measure();
        console.log(
          `[event-loop] responses, ${_name}: ${warm.res.status}; slowest /health/live ` +
            `${warm.maxMs.toFixed(0)} ms over ${warm.polls} polls (first time: ${cold.maxMs.toFixed(0)} ms)`,
        );
        for (const { res } of [cold, warm]) {
          expect(responseProblem('/v1/responses', 'POST', res)).toBeUndefined();
          expect(res.status).not.toBe(413);
        }
        expect(warm.polls).toBeGreaterThan(0);
        expect(warm.maxMs).toBeLessThan(BUDGET_MS);
      },
      180_000,
    );
  });
});
