import { Agent } from 'node:http';
import { expectRefusal } from './support/expect-refusal';
import { exchangeRaw, parseRawResponse, sendRaw, type RawResponse } from './support/raw-http';
import { startSecurityGateway, type SecurityGateway } from './support/security-gateway';

/**
 * Issue 14, items 3 and 4, replayed one by one against the real HTTP API: each request below
 * answered 500 (or froze the process) before. Each must now be a 4xx in the envelope, with
 * the request id and the security headers, and a message that names the problem.
 */
describe('input limits: no malformed request yields a 5xx', () => {
  let g: SecurityGateway;
  const agent = new Agent({ keepAlive: true });

  beforeAll(async () => {
    g = await startSecurityGateway();
  });
  afterAll(async () => {
    agent.destroy();
    await g?.close();
  });

  const admin = () => ({
    authorization: `Bearer ${g.fx.adminToken}`,
    'content-type': 'application/json',
  });

  async function send(method: string, path: string, body?: unknown): Promise<RawResponse> {
    const text = typeof body === 'string' || body === undefined ? body : JSON.stringify(body);
    const headers = admin() as Record<string, string>;
    if (text === undefined) delete headers['content-type'];
    return sendRaw(g.gw.url, { method, path, headers, body: text }, { agent });
  }

  async function refused(
    method: string,
    path: string,
    body: unknown,
    status: number,
    message?: RegExp,
  ): Promise<RawResponse> {
    const res = await send(method, path, body);
    expectRefusal(res, { method, path }, status, message);
    return res;
  }

  const agentPath = () => `/api/v1/agents/${g.fx.agentId}`;
  const toolPath = () => `/api/v1/tools/${g.fx.toolId}`;

  describe('NUL bytes in strings that would be stored', () => {
    it.each([
      [
        'a top-level string',
        () => ['POST', '/api/v1/agents', { name: 'a\u0000b', service: 'openai', model: 'm' }],
        /name contains a NUL/,
      ],
      [
        'a nested string',
        () => [
          'POST',
          '/api/v1/agents',
          {
            name: 'nul-nested',
            service: 'openai',
            model: 'm',
            fallbacks: [{ service: 'anthropic', model: 'x\u0000' }],
          },
        ],
        /fallbacks\[0\]\.model contains a NUL/,
      ],
      [
        'an object key',
        () => [
          'POST',
          '/api/v1/tools',
          {
            name: 'nul_key',
            url: 'https://t.example.com',
            parameters: { type: 'object', properties: { 'c\u0000': { type: 'string' } } },
          },
        ],
        /parameters\.properties\.c.*'s name contains a NUL/,
      ],
      [
        'a PATCH',
        () => ['PATCH', toolPath(), { description: 'd\u0000' }],
        /description contains a NUL/,
      ],
      [
        'a message on the agent route',
        () => [
          'POST',
          '/api/v2/model/chat/completion',
          { agent_id: g.fx.agentId, user: 'hi\u0000', variables: { customer: 'x' } },
        ],
        /user contains a NUL/,
      ],
      [
        'a message on the OpenAI route',
        () => [
          'POST',
          '/v1/chat/completions',
          { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: '\u0000' }] },
        ],
        /messages\[0\]\.content contains a NUL/,
      ],
    ] as const)('in %s: 400', async (_label, make, message) => {
      const [method, path, body] = make() as unknown as readonly [string, string, unknown];
      await refused(method, path, body, 400, message);
    });

    it('in a query parameter and in a path segment: 400', async () => {
      await refused(
        'GET',
        `/api/v1/threads/${g.fx.threadId}/messages?sub_thread_id=a%00`,
        undefined,
        400,
        /sub_thread_id contains a NUL/,
      );
      await refused('GET', '/api/v1/agents/agt_%00abcdefgh', undefined, 400);
    });
  });

  describe('lone surrogates', () => {
    it('in a body thread_id, read by the rate-limit guard before validation: 400', async () => {
      await refused(
        'POST',
        '/api/v2/model/chat/completion',
        `{"agent_id":"${g.fx.agentId}","user":"hi","thread_id":"t\\ud800","variables":{"customer":"x"}}`,
        400,
        /thread_id contains an unpaired UTF-16 surrogate/,
      );
    });

    it('in an agent model id on the OpenAI route (also read by the guard): 400 in OpenAI shape', async () => {
      await refused(
        'POST',
        '/v1/chat/completions',
        '{"model":"agent/\\udc00","messages":[{"role":"user","content":"hi"}]}',
        400,
        /model contains an unpaired/,
      );
    });

    it('in a value stored as jsonb: 400', async () => {
      await refused(
        'POST',
        '/api/v1/agents',
        '{"name":"sur","service":"openai","model":"m","fallbacks":[{"service":"anthropic","model":"\\ud83d"}]}',
        400,
        /fallbacks\[0\]\.model/,
      );
    });

    it('a paired surrogate (an emoji) is fine', async () => {
      const res = await send('POST', '/api/v1/agents', {
        name: 'emoji 😀',
        service: 'openai',
        model: 'gpt-4o-mini',
      });
      expect(res.status).toBe(201);
    });
  });

  describe('null on fields that are not nullable', () => {
    it.each([
      ['agent prompt', () => agentPath(), { prompt: null }],
      ['agent configuration', () => agentPath(), { configuration: null }],
      ['agent tool_ids', () => agentPath(), { tool_ids: null }],
      ['agent max_tool_iterations', () => agentPath(), { max_tool_iterations: null }],
      ['agent rate_limit.per_minute', () => agentPath(), { rate_limit: { per_minute: null } }],
      ['tool description', () => toolPath(), { description: null }],
      ['tool parameters', () => toolPath(), { parameters: null }],
      ['tool timeout_ms', () => toolPath(), { timeout_ms: null }],
      ['tool headers', () => toolPath(), { headers: null }],
      [
        'provider key api_key',
        () => `/api/v1/provider-keys/${g.fx.providerKeyId}`,
        { api_key: null },
      ],
      ['api key name', () => `/api/v1/api-keys/${g.fx.apiKeyId}`, { name: null }],
    ] as const)('PATCH %s: null is a 400', async (_label, path, body) => {
      await refused('PATCH', path(), body, 400, /must not be null|should not be|must be/);
    });

    it('PUT settings with a null secret: 400', async () => {
      await refused(
        'PUT',
        '/api/v1/settings',
        { error_webhook_secret: null },
        400,
        /error_webhook_secret must not be null/,
      );
    });

    it('"cache": null on the agent route: 400', async () => {
      await refused(
        'POST',
        '/api/v2/model/chat/completion',
        { agent_id: g.fx.agentId, user: 'hi', cache: null, variables: { customer: 'x' } },
        400,
        /cache must not be null/,
      );
    });

    it('fields documented as nullable still take null', async () => {
      expect((await send('PATCH', agentPath(), { cache_ttl: null, rate_limit: null })).status).toBe(
        200,
      );
      expect(
        (await send('PATCH', `/api/v1/provider-keys/${g.fx.providerKeyId}`, { base_url: null }))
          .status,
      ).toBe(200);
      expect(
        (
          await send('PATCH', `/api/v1/api-keys/${g.fx.apiKeyId}`, {
            expires_at: null,
            rate_limit: null,
          })
        ).status,
      ).toBe(200);
      expect((await send('PUT', '/api/v1/settings', { error_webhook_url: null })).status).toBe(200);
      // OpenAI's spec marks these nullable; SDKs and frameworks send them.
      const chat = await send('POST', '/v1/chat/completions', {
        model: 'openai/gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
        temperature: null,
        max_tokens: null,
        stop: null,
        stream: null,
      });
      expect(chat.status).toBe(200);
    });
  });

  describe('nesting depth', () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

    it.each([
      [
        'a free-form object (agent configuration)',
        'POST',
        '/api/v1/agents',
        (d: string) => `{"name":"deep","service":"openai","model":"m","configuration":{"x":${d}}}`,
      ],
      ['a PATCH', 'PATCH', '/api/v1/provider-keys/{pk}', (d: string) => `{"api_key":${d}}`],
      [
        'the OpenAI route',
        'POST',
        '/v1/chat/completions',
        (d: string) => `{"model":"openai/gpt-4o-mini","messages":${d}}`,
      ],
      [
        'the agent route (variables)',
        'POST',
        '/api/v2/model/chat/completion',
        (d: string) => `{"agent_id":"x","user":"u","variables":${d}}`,
      ],
    ] as const)(
      '4,000 levels in %s: 400, not a stack overflow',
      async (_label, method, path, body) => {
        const p = path.replace('{pk}', g.fx.providerKeyId);
        await refused(method, p, body(deep(4000)), 400, /nests deeper than 64 levels/);
      },
    );

    it('100,000 unclosed brackets: 400, measured before parsing', async () => {
      await refused(
        'POST',
        '/api/v1/agents',
        '['.repeat(100_000),
        400,
        /nests deeper than 64 levels/,
      );
    });
  });

  describe('sizes are checked before per-element validation', () => {
    const ids = (n: number) =>
      Array.from({ length: n }, (_, i) => `tool_${String(i).padStart(10, '0')}`);

    it('100,000 tool_ids on POST /api/v1/agents: 400 naming the limit', async () => {
      await refused(
        'POST',
        '/api/v1/agents',
        { name: 'many', service: 'openai', model: 'm', tool_ids: ids(100_000) },
        400,
        /more than 50000 values|tool_ids must contain no more than 64/,
      );
      // Within the node budget, the array limit itself answers.
      await refused(
        'POST',
        '/api/v1/agents',
        { name: 'many', service: 'openai', model: 'm', tool_ids: ids(20_000) },
        400,
        /tool_ids must contain no more than 64 elements/,
      );
    });

    it('too many messages, tools or nested objects on /v1/chat/completions: 400', async () => {
      const messages = (n: number, m: object) => Array.from({ length: n }, () => m);
      await refused(
        'POST',
        '/v1/chat/completions',
        { model: 'openai/gpt-4o-mini', messages: messages(10_000, { role: 'nobody' }) },
        400,
        /messages must contain no more than 2048 elements/,
      );
      await refused(
        'POST',
        '/v1/chat/completions',
        {
          model: 'openai/gpt-4o-mini',
          messages: [{ role: 'user', content: 'x' }],
          tools: messages(10_000, { type: 'function', function: { name: 5 } }),
        },
        400,
        /tools must contain no more than 128 elements/,
      );
      const toolCalls = messages(100, {
        id: 'c',
        type: 'function',
        function: { name: 'f', arguments: '{}' },
      });
      await refused(
        'POST',
        '/v1/chat/completions',
        {
          model: 'openai/gpt-4o-mini',
          messages: messages(2000, {
            role: 'assistant',
            content: null,
            tool_calls: toolCalls.slice(0, 2),
          }),
        },
        400,
        /more than 4096 nested objects/,
      );
    });

    it('configuration and variables with too many keys: 400', async () => {
      const keys = (n: number) =>
        Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 1]));
      await refused(
        'POST',
        '/api/v1/agents',
        { name: 'cfg', service: 'openai', model: 'm', configuration: keys(65) },
        400,
        /configuration must be a JSON object of at most 64/,
      );
      await refused(
        'POST',
        '/api/v2/model/chat/completion',
        { agent_id: g.fx.agentId, user: 'hi', variables: keys(257) },
        400,
        /variables must be an object of at most 256/,
      );
    });
  });

  describe('configuration keys that are Object.prototype members', () => {
    it.each(['toString', 'constructor', 'hasOwnProperty', 'valueOf'])(
      '%s: 400 on the agent and the completion',
      async (key) => {
        await refused(
          'POST',
          '/api/v1/agents',
          `{"name":"proto-${key}","service":"openai","model":"m","configuration":{"${key}":1}}`,
          400,
          /configuration/,
        );
        await refused(
          'POST',
          '/api/v2/model/chat/completion',
          `{"agent_id":"${g.fx.agentId}","user":"hi","variables":{"customer":"x"},"configuration":{"${key}":1}}`,
          400,
          /configuration/,
        );
      },
    );

    it('__proto__ anywhere in a body: 400', async () => {
      await refused(
        'POST',
        '/api/v1/agents',
        '{"name":"p","service":"openai","model":"m","configuration":{"__proto__":{"admin":true}}}',
        400,
        /"__proto__"/,
      );
    });
  });

  describe('webhook headers are checked at submission', () => {
    it.each([
      ['a CRLF in a value', { 'x-token': 'a\r\nInjected: 1' }],
      ['a bad header name', { 'bad header': 'x' }],
      ['a colon in a name', { 'x:y': 'x' }],
      ['a non-string value', { 'x-n': 5 }],
    ])('%s: 400', async (_label, headers) => {
      await refused(
        'POST',
        '/api/v2/model/chat/completion',
        {
          agent_id: g.fx.agentId,
          user: 'hi',
          variables: { customer: 'x' },
          response_format: { type: 'webhook', url: 'https://hooks.example.com/x', headers },
        },
        400,
        /response_format\.headers/,
      );
    });
  });

  describe('list cursors', () => {
    const cursor = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    it.each([
      [
        'a position beyond an integer',
        () =>
          `/api/v1/threads/${g.fx.threadId}/messages?cursor=${cursor(['2026-01-01T00:00:00.000Z', 'xch_a', 2 ** 31])}`,
      ],
      [
        'a NUL in a string',
        () =>
          `/api/v1/threads/${g.fx.threadId}/messages?cursor=${cursor(['2026-01-01T00:00:00.000Z', 'a\u0000', 1])}`,
      ],
      [
        'a time out of range',
        () => `/api/v1/call-logs?cursor=${cursor(['-271821-04-20T00:00:00.000Z', 'x'])}`,
      ],
      [
        'a NUL in an id',
        () => `/api/v1/agents?cursor=${cursor(['2026-01-01T00:00:00.000Z', '\u0000'])}`,
      ],
      [
        'a lone surrogate',
        () => `/api/v1/tools?cursor=${cursor(['2026-01-01T00:00:00.000Z', '\ud800'])}`,
      ],
    ])('%s: 400', async (_label, path) => {
      await refused('GET', path(), undefined, 400, /cursor is invalid/);
    });
  });

  describe('refusals made by Fastify and Node use the envelope too', () => {
    it('malformed percent-encoding in a path: 400 with the request id and security headers', async () => {
      await refused('GET', '/api/v1/agents/%E0%A4%A', undefined, 400, /not a valid URL/);
      await refused('GET', '/v1/models/%zz', undefined, 400, /not a valid URL/);
    });

    it('headers over the limit: 431 in the envelope, connection closed', async () => {
      const res = await sendRaw(g.gw.url, {
        method: 'GET',
        path: '/api/v1/agents',
        headers: { 'x-pad': 'a'.repeat(20_000) },
      });
      expectRefusal(res, { method: 'GET', path: '/api/v1/agents' }, 431, /headers are larger/);
      expect(res.headers.connection).toBe('close');
    });

    it('a malformed request line: 400 in the envelope', async () => {
      const ex = await exchangeRaw(g.gw.url, 'GET /health/live HTTP/9.9\r\n\r\n');
      const res = parseRawResponse(ex.received);
      expect(res).toBeDefined();
      expectRefusal(res!, { method: 'GET', path: '/' }, 400, /Malformed HTTP request/);
    });

    it('bad JSON, an empty JSON body, a wrong content type, a body too large', async () => {
      await refused('POST', '/api/v1/agents', '{"name":', 400, /not valid JSON/);
      await refused('POST', '/api/v1/agents', ' ', 400, /empty/);
      const typed = await sendRaw(g.gw.url, {
        method: 'POST',
        path: '/api/v1/agents',
        headers: { authorization: `Bearer ${g.fx.adminToken}`, 'content-type': 'text/plain' },
        body: 'x',
      });
      expectRefusal(typed, { method: 'POST', path: '/api/v1/agents' }, 415);
      const big = await sendRaw(g.gw.url, {
        method: 'POST',
        path: '/v1/chat/completions',
        headers: admin(),
        body: `{"model":"${'a'.repeat(11 * 1024 * 1024)}"}`,
      });
      expectRefusal(big, { method: 'POST', path: '/v1/chat/completions' }, 413);
    });
  });
});
