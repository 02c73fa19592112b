import { signToken, authHeaders, startTestApp, TestApp } from '../support/test-app';
import { json } from '../support/json';

describe('Foundation (embedded mode, real HTTP)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (path: string, body: string, headers: Record<string, string> = authHeaders()) =>
    fetch(`${t.url}${path}`, { method: 'POST', headers, body });

  describe('operations', () => {
    it('answers liveness without credentials', async () => {
      const res = await fetch(`${t.url}/health/live`);
      expect(res.status).toBe(200);
      expect(await json(res)).toMatchObject({ status: 'ok' });
    });

    it('reports the embedded SQL store as up in readiness', async () => {
      const res = await fetch(`${t.url}/health/ready`);
      expect(res.status).toBe(200);
      const body = await json(res);
      expect(body.status).toBe('ok');
      expect(body.dependencies['postgres (embedded)']).toMatchObject({
        status: 'up',
        required: true,
      });
    });

    it('serves Prometheus metrics with HTTP counts by route and status', async () => {
      await fetch(`${t.url}/health/live`);
      const res = await fetch(`${t.url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const text = await res.text();
      expect(text).toMatch(
        /gateway_http_requests_total\{method="GET",route="\/health\/live",status="200"\} \d+/,
      );
      expect(text).toContain('gateway_http_request_duration_seconds_bucket');
    });

    it('serves Swagger UI and an OpenAPI document with bearer auth and every route', async () => {
      const ui = await fetch(`${t.url}/docs`);
      expect(ui.status).toBe(200);
      expect(await ui.text()).toContain('swagger');
      const doc = await json(await fetch(`${t.url}/docs-json`));
      expect(doc.components.securitySchemes.bearer).toMatchObject({
        type: 'http',
        scheme: 'bearer',
      });
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/health/live',
          '/health/ready',
          '/metrics',
          '/api/v2/model/chat/completion',
          '/v1/chat/completions',
        ]),
      );
      const op = doc.paths['/v1/chat/completions'].post;
      expect(op.security).toEqual(expect.arrayContaining([{ bearer: [] }]));
      expect(op.requestBody.content['application/json'].schema.$ref).toContain(
        'OpenAiChatCompletionDto',
      );
    });

    it('sends security headers', async () => {
      const res = await fetch(`${t.url}/health/live`);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    });
  });

  describe('request ids', () => {
    it('mints an x-request-id and puts it in the error envelope', async () => {
      const res = await fetch(`${t.url}/nope`);
      const id = res.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect((await json(res)).error.request_id).toBe(id);
    });

    it('keeps a safe client-sent x-request-id and replaces an unsafe one', async () => {
      const ok = await fetch(`${t.url}/health/live`, {
        headers: { 'x-request-id': 'client-abc.123' },
      });
      expect(ok.headers.get('x-request-id')).toBe('client-abc.123');
      const bad = await fetch(`${t.url}/health/live`, {
        headers: { 'x-request-id': 'a b<script>' },
      });
      expect(bad.headers.get('x-request-id')).not.toContain('script');
    });
  });

  describe('auth placeholder', () => {
    const validAgentBody = JSON.stringify({ agent_id: 'agt_1', user: 'hello' });

    it('denies by default with 401 in the envelope', async () => {
      const res = await post('/api/v2/model/chat/completion', validAgentBody, {
        'content-type': 'application/json',
      });
      expect(res.status).toBe(401);
      const body = await json(res);
      expect(body).toMatchObject({ success: false, error: { code: 'UNAUTHENTICATED' } });
    });

    it('answers 401 in OpenAI shape on /v1', async () => {
      const res = await post('/v1/chat/completions', '{}', { 'content-type': 'application/json' });
      expect(res.status).toBe(401);
      const body = await json(res);
      expect(body.error).toMatchObject({ type: 'authentication_error', code: 'unauthenticated' });
      expect(body.success).toBeUndefined();
    });

    it('refuses a token signed with another secret, an expired one and alg none', async () => {
      const forged = signToken({}, {}, 'another-secret-that-is-long-enough-to-sign!');
      const expired = signToken({}, { expiresIn: -3600 });
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      const payload = Buffer.from(JSON.stringify({ sub: 'u', org_id: 'o' })).toString('base64url');
      const none = `${header}.${payload}.`;
      for (const token of [forged, expired, none]) {
        const res = await post('/api/v2/model/chat/completion', validAgentBody, authHeaders(token));
        expect(res.status).toBe(401);
      }
      const res = await post('/api/v2/model/chat/completion', validAgentBody, authHeaders(expired));
      expect((await json(res)).error.message).toMatch(/expired/);
    });

    it('accepts an HS256 JWT and reaches the route (the unknown agent is then a 404)', async () => {
      const res = await post('/api/v2/model/chat/completion', validAgentBody);
      expect(res.status).toBe(404);
      const body = await json(res);
      expect(body.error.code).toBe('NOT_FOUND');
      expect(body.error.message).toContain('agt_1');
    });
  });

  describe('bad input', () => {
    it('rejects malformed JSON with 400', async () => {
      const res = await post('/api/v2/model/chat/completion', '{"agent_id": ');
      expect(res.status).toBe(400);
      const body = await json(res);
      expect(body.error.code).toBe('VALIDATION_FAILED');
      expect(body.error.message).toMatch(/JSON/);
    });

    it('rejects unknown fields, naming them', async () => {
      const res = await post(
        '/api/v2/model/chat/completion',
        JSON.stringify({ agent_id: 'a', user: 'hi', surprise: 1 }),
      );
      expect(res.status).toBe(400);
      expect((await json(res)).error.message).toContain('surprise');
    });

    it('rejects wrong types, naming the field', async () => {
      const res = await post(
        '/api/v2/model/chat/completion',
        JSON.stringify({ agent_id: 'a', user: 'hi', stream: 'yes' }),
      );
      expect(res.status).toBe(400);
      const body = await json(res);
      expect(body.error.message).toContain('stream');
      expect(body.error.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'stream' })]),
      );
    });

    it('requires agent_id (or bridge_id) and user (or messages)', async () => {
      const res = await post('/api/v2/model/chat/completion', JSON.stringify({}));
      expect(res.status).toBe(400);
      const fields = (await json(res)).error.details.map((d: { field: string }) => d.field);
      expect(fields).toEqual(expect.arrayContaining(['agent_id', 'user']));
      const alias = await post(
        '/api/v2/model/chat/completion',
        JSON.stringify({ bridge_id: 'b', user: 'hi' }),
      );
      expect(alias.status).toBe(404);
    });

    it('validates OpenAI requests with OpenAI-shaped errors naming the param', async () => {
      const res = await post(
        '/v1/chat/completions',
        JSON.stringify({
          model: 'openai/gpt-4o-mini',
          messages: [{ role: 'user', content: 'hi' }],
          temperature: 7,
        }),
      );
      expect(res.status).toBe(400);
      const body = await json(res);
      expect(body.error).toMatchObject({ type: 'invalid_request_error', param: 'temperature' });
      const badRole = await post(
        '/v1/chat/completions',
        JSON.stringify({ model: 'x/y', messages: [{ role: 'wizard', content: 'hi' }] }),
      );
      expect((await json(badRole)).error.param).toBe('messages[0].role');
    });

    it('answers 413 in the envelope for an oversize body', async () => {
      const big = JSON.stringify({ agent_id: 'a', user: 'x'.repeat(11 * 1024 * 1024) });
      const res = await post('/api/v2/model/chat/completion', big);
      expect(res.status).toBe(413);
      expect((await json(res)).error.code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('answers 404 in the envelope for unknown routes and wrong methods', async () => {
      const unknown = await fetch(`${t.url}/api/v1/nothing-here`, { headers: authHeaders() });
      expect(unknown.status).toBe(404);
      expect((await json(unknown)).error.code).toBe('NOT_FOUND');
      const wrongMethod = await fetch(`${t.url}/v1/chat/completions`, {
        method: 'GET',
        headers: authHeaders(),
      });
      expect(wrongMethod.status).toBeGreaterThanOrEqual(400);
      expect(wrongMethod.status).toBeLessThan(500);
      const body = await json(wrongMethod);
      expect(body.error.message).toContain('GET /v1/chat/completions');
      expect(JSON.stringify(body)).not.toMatch(/at .*\.js/);
    });

    it('rejects a non-JSON content type with 415', async () => {
      const res = await post('/api/v2/model/chat/completion', 'agent_id=a', {
        ...authHeaders(),
        'content-type': 'text/plain',
      });
      expect(res.status).toBe(415);
      expect((await json(res)).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });
  });
});
