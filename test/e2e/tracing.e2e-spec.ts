import { randomUUID } from 'node:crypto';
import { Telemetry } from '../../src/modules/tracing';
import { until } from '../live-config/polling';
import { mockDirective, startMockUpstream, type MockUpstream } from '../mock-upstream/server';
import { mockBaseUrls } from '../support/gateway-with-mock';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver';
import { authHeaders, signToken, startTestApp, type TestApp } from '../support/test-app';

/**
 * OpenTelemetry export through the real HTTP API: an OTLP/HTTP receiver in the test gets a
 * SERVER span per request and a CLIENT span per provider attempt, with the GenAI attributes,
 * and the GenAI metrics; nothing is started without an endpoint.
 */

const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;
const KEY = 'sk-deployment-openai-key-never-exported-0123456789';

async function chat(
  gw: TestApp,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  return fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { ...authHeaders(signToken({ org_id: 'org-otel' })), ...headers },
    body: JSON.stringify({ model: 'openai/gpt-4o-mini', ...body }),
  });
}

/** Flushes the app's exporters until `find` sees what the request produced. */
async function exported<T>(gw: TestApp, what: string, find: () => T | undefined): Promise<T> {
  const telemetry = gw.app.get(Telemetry);
  return until(what, async () => {
    await telemetry.flush();
    return find();
  });
}

/** The request's SERVER span (by trace) and its CLIENT children, once all are exported. */
async function requestTrace(gw: TestApp, rx: OtlpReceiver, traceId: string, attempts: number) {
  return exported(gw, `the request span and ${attempts} attempt spans`, () => {
    const spans = rx.spans.filter((s) => s.traceId === traceId);
    const server = spans.find((s) => s.kind === SERVER);
    const clients = spans.filter((s) => s.kind === CLIENT);
    return server && clients.length === attempts ? { server, clients } : undefined;
  });
}

function traceparent(): { header: string; traceId: string; parentId: string } {
  const traceId = randomUUID().replace(/-/g, '');
  const parentId = randomUUID().replace(/-/g, '').slice(0, 16);
  return { header: `00-${traceId}-${parentId}-01`, traceId, parentId };
}

describe('OpenTelemetry traces and metrics', () => {
  let mock: MockUpstream;
  let rx: OtlpReceiver;
  beforeAll(async () => {
    mock = await startMockUpstream();
    rx = await startOtlpReceiver();
  });
  afterAll(async () => {
    await mock.close();
    await rx.close();
  });

  describe('with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
    let gw: TestApp;
    beforeAll(async () => {
      gw = await startTestApp({
        ...mockBaseUrls(mock.url),
        OPENAI_API_KEY: KEY,
        PROVIDER_MAX_RETRIES: '1',
        OTEL_EXPORTER_OTLP_ENDPOINT: rx.url,
        OTEL_SERVICE_NAME: 'gateway-under-test',
      });
    });
    afterAll(async () => gw.close());

    it('continues the caller trace: a request span and a GenAI attempt span with the usage', async () => {
      const secret = `private prompt ${randomUUID()}`;
      const tp = traceparent();
      const res = await chat(
        gw,
        {
          messages: [{ role: 'user', content: secret }],
          max_tokens: 50,
          temperature: 0.3,
          top_p: 0.9,
        },
        { traceparent: tp.header },
      );
      expect(res.status).toBe(200);
      const answer = (await res.json()) as {
        choices: Array<{ message: { content: string } }>;
        usage: { prompt_tokens: number; completion_tokens: number };
      };
      const { server, clients } = await requestTrace(gw, rx, tp.traceId, 1);

      expect(server.parentSpanId).toBe(tp.parentId);
      expect(server.name).toBe('POST /v1/chat/completions');
      expect(server.attributes).toMatchObject({
        'http.request.method': 'POST',
        'http.route': '/v1/chat/completions',
        'http.response.status_code': 200,
      });
      expect(server.resource['service.name']).toBe('gateway-under-test');

      const [attempt] = clients;
      expect(attempt.parentSpanId).toBe(server.spanId);
      expect(attempt.name).toBe('chat gpt-4o-mini');
      expect(attempt.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.response.model': expect.stringContaining('gpt-4o-mini'),
        'gen_ai.request.max_tokens': 50,
        'gen_ai.request.temperature': 0.3,
        'gen_ai.request.top_p': 0.9,
        'gen_ai.usage.input_tokens': answer.usage.prompt_tokens,
        'gen_ai.usage.output_tokens': answer.usage.completion_tokens,
        'gen_ai.response.finish_reasons': ['stop'],
        'server.address': '127.0.0.1',
        'server.port': mock.port,
      });
      expect(answer.usage.prompt_tokens).toBeGreaterThan(0);
      expect(attempt.attributes['gen_ai.response.id']).toEqual(expect.any(String));
      expect(attempt.status.code).not.toBe(ERROR);

      // No content by default, and never a key.
      expect(attempt.attributes['gen_ai.input.messages']).toBeUndefined();
      expect(attempt.attributes['gen_ai.output.messages']).toBeUndefined();
      const everything = rx.bodies.join('\n');
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(answer.choices[0].message.content);
      expect(everything).not.toContain(KEY);

      // OTLP/HTTP with JSON bodies.
      expect(rx.contentTypes).toContain('/v1/traces application/json');
    });

    it('traces a stream to its end and records time to first chunk and token histograms', async () => {
      const tp = traceparent();
      const res = await chat(
        gw,
        {
          messages: [
            { role: 'user', content: `stream me ${randomUUID()} ${mockDirective({ chunks: 4 })}` },
          ],
          stream: true,
          stream_options: { include_usage: true },
        },
        { traceparent: tp.header },
      );
      expect(res.status).toBe(200);
      const text = await res.text();
      const usage = text
        .split('\n')
        .filter((l) => l.startsWith('data: {'))
        .map(
          (l) =>
            JSON.parse(l.slice(6)) as {
              usage?: { prompt_tokens: number; completion_tokens: number };
            },
        )
        .find((c) => c.usage)?.usage;
      expect(usage).toBeDefined();

      const { server, clients } = await requestTrace(gw, rx, tp.traceId, 1);
      expect(clients[0].parentSpanId).toBe(server.spanId);
      expect(clients[0].attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.usage.input_tokens': usage!.prompt_tokens,
        'gen_ai.usage.output_tokens': usage!.completion_tokens,
        'gen_ai.response.finish_reasons': ['stop'],
      });
      expect(server.attributes['http.response.status_code']).toBe(200);

      const metrics = await exported(gw, 'the GenAI metrics', () => {
        // Cumulative points: the last one exported holds every call so far.
        const by = (name: string, extra: Record<string, unknown> = {}) =>
          rx.points.findLast(
            (p) =>
              p.metric === name &&
              p.attributes['gen_ai.request.model'] === 'gpt-4o-mini' &&
              Object.entries(extra).every(([k, v]) => p.attributes[k] === v),
          );
        const firstChunk = by('gen_ai.client.operation.time_to_first_chunk');
        const input = by('gen_ai.client.token.usage', { 'gen_ai.token.type': 'input' });
        const output = by('gen_ai.client.token.usage', { 'gen_ai.token.type': 'output' });
        const duration = by('gen_ai.client.operation.duration');
        return firstChunk && input && output && duration
          ? { firstChunk, input, output, duration }
          : undefined;
      });
      expect(metrics.firstChunk.count).toBeGreaterThanOrEqual(1);
      expect(metrics.firstChunk.attributes['gen_ai.provider.name']).toBe('openai');
      expect(metrics.input.sum).toBeGreaterThanOrEqual(usage!.prompt_tokens);
      expect(metrics.output.sum).toBeGreaterThanOrEqual(usage!.completion_tokens);
      expect(metrics.duration.count).toBeGreaterThanOrEqual(1);
    });

    it('gives a retried call two attempt spans under one request span, the failed one with error.type', async () => {
      const tp = traceparent();
      const key = `retry-${randomUUID()}`;
      const res = await chat(
        gw,
        {
          messages: [
            {
              role: 'user',
              content: `again ${mockDirective({ key, fail_first: 1, status: 500 })}`,
            },
          ],
        },
        { traceparent: tp.header },
      );
      expect(res.status).toBe(200);
      const { server, clients } = await requestTrace(gw, rx, tp.traceId, 2);
      expect(clients.every((c) => c.parentSpanId === server.spanId)).toBe(true);
      const failed = clients.filter((c) => c.status.code === ERROR);
      const ok = clients.filter((c) => c.status.code !== ERROR);
      expect(failed).toHaveLength(1);
      expect(ok).toHaveLength(1);
      expect(failed[0].attributes['error.type']).toBe('500');
      expect(failed[0].attributes['gen_ai.usage.input_tokens']).toBeUndefined();
      expect(ok[0].attributes['error.type']).toBeUndefined();
      expect(ok[0].attributes['gen_ai.usage.output_tokens']).toEqual(expect.any(Number));
    });

    it("gives each fallback its own attempt span: the primary's failures, then the fallback's answer", async () => {
      const admin = authHeaders(signToken({ org_id: 'org-otel', scopes: ['admin'] }));
      const created = await fetch(`${gw.url}/api/v1/agents`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({
          name: `otel-fb-${randomUUID()}`,
          service: 'openai',
          model: 'gpt-4o-mini',
          fallbacks: [{ service: 'anthropic', model: 'claude-haiku-4-5' }],
        }),
      });
      expect(created.status).toBe(201);
      const agent = ((await created.json()) as { data: { id: string } }).data;
      const tp = traceparent();
      const key = `fb-${randomUUID()}`;
      // Two failures use up the primary's attempt and its one retry; the fallback answers.
      const res = await fetch(`${gw.url}/api/v2/model/chat/completion`, {
        method: 'POST',
        headers: { ...admin, traceparent: tp.header },
        body: JSON.stringify({
          agent_id: agent.id,
          user: `fb ${mockDirective({ key, fail_first: 2, status: 500 })}`,
        }),
      });
      expect(res.status).toBe(200);
      const { server, clients } = await requestTrace(gw, rx, tp.traceId, 3);
      expect(server.name).toBe('POST /api/v2/model/chat/completion');
      expect(clients.every((c) => c.parentSpanId === server.spanId)).toBe(true);
      const primary = clients.filter((c) => c.attributes['gen_ai.provider.name'] === 'openai');
      const fallback = clients.filter((c) => c.attributes['gen_ai.provider.name'] === 'anthropic');
      expect(primary.map((c) => c.attributes['error.type'])).toEqual(['500', '500']);
      expect(fallback).toHaveLength(1);
      expect(fallback[0].name).toBe('chat claude-haiku-4-5');
      expect(fallback[0].status.code).not.toBe(ERROR);
      expect(fallback[0].attributes['gen_ai.usage.input_tokens']).toEqual(expect.any(Number));
    });

    it('traces an embeddings call as an embeddings attempt with its input tokens', async () => {
      const tp = traceparent();
      const res = await fetch(`${gw.url}/v1/embeddings`, {
        method: 'POST',
        headers: { ...authHeaders(signToken({ org_id: 'org-otel' })), traceparent: tp.header },
        body: JSON.stringify({
          model: 'openai/text-embedding-3-small',
          input: [`embed ${randomUUID()}`],
        }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { usage: { prompt_tokens: number } };
      const { server, clients } = await requestTrace(gw, rx, tp.traceId, 1);
      expect(server.name).toBe('POST /v1/embeddings');
      expect(clients[0].name).toBe('embeddings text-embedding-3-small');
      expect(clients[0].attributes).toMatchObject({
        'gen_ai.operation.name': 'embeddings',
        'gen_ai.provider.name': 'openai',
        'gen_ai.usage.input_tokens': body.usage.prompt_tokens,
      });
    });

    it('marks a provider 500 on every attempt and on the request span', async () => {
      const tp = traceparent();
      const res = await chat(
        gw,
        { messages: [{ role: 'user', content: `fail ${mockDirective({ status: 500 })}` }] },
        { traceparent: tp.header },
      );
      expect(res.status).toBe(502);
      const { server, clients } = await requestTrace(gw, rx, tp.traceId, 2);
      for (const c of clients) {
        expect(c.status.code).toBe(ERROR);
        expect(c.attributes['error.type']).toBe('500');
      }
      expect(server.status.code).toBe(ERROR);
      expect(server.attributes).toMatchObject({
        'http.response.status_code': 502,
        'error.type': '502',
      });
    });

    it('starts a new trace when the caller sends none, and traces requests refused before a controller', async () => {
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(res.status).toBe(401);
      const span = await exported(gw, 'the 401 request span', () =>
        rx.spans.find(
          (s: ReceivedSpan) =>
            s.kind === SERVER &&
            s.attributes['http.response.status_code'] === 401 &&
            !s.parentSpanId,
        ),
      );
      expect(span.name).toBe('POST /v1/chat/completions');
      expect(span.status.code).not.toBe(ERROR);
    });
  });

  describe('with content capture enabled', () => {
    let gw: TestApp;
    beforeAll(async () => {
      gw = await startTestApp({
        ...mockBaseUrls(mock.url),
        OPENAI_API_KEY: KEY,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${rx.url}/v1/traces`,
        OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true',
      });
    });
    let closed = false;
    afterAll(async () => {
      if (!closed) await gw.close();
    });

    it('records the prompt and the answer as GenAI messages', async () => {
      const prompt = `capture me ${randomUUID()}`;
      const tp = traceparent();
      const res = await chat(
        gw,
        {
          messages: [
            { role: 'system', content: 'be brief' },
            { role: 'user', content: prompt },
          ],
        },
        { traceparent: tp.header },
      );
      expect(res.status).toBe(200);
      const answer = (await res.json()) as { choices: Array<{ message: { content: string } }> };
      const { clients } = await requestTrace(gw, rx, tp.traceId, 1);
      const input = JSON.parse(String(clients[0].attributes['gen_ai.input.messages'])) as unknown;
      const output = JSON.parse(String(clients[0].attributes['gen_ai.output.messages'])) as unknown;
      expect(input).toEqual([
        { role: 'system', parts: [{ type: 'text', content: 'be brief' }] },
        { role: 'user', parts: [{ type: 'text', content: prompt }] },
      ]);
      expect(output).toEqual([
        {
          role: 'assistant',
          parts: [{ type: 'text', content: answer.choices[0].message.content }],
          finish_reason: 'stop',
        },
      ]);
      expect(rx.bodies.join('\n')).not.toContain(KEY);
    });

    it('flushes buffered spans when the app shuts down', async () => {
      const tp = traceparent();
      const res = await chat(
        gw,
        { messages: [{ role: 'user', content: `last words ${randomUUID()}` }] },
        { traceparent: tp.header },
      );
      expect(res.status).toBe(200);
      await res.text();
      // No flush() here: the batch processor holds the spans until the shutdown hook exports them.
      closed = true;
      await gw.close();
      const spans = rx.spans.filter((s) => s.traceId === tp.traceId);
      expect(spans.map((s) => s.kind).sort()).toEqual([SERVER, CLIENT]);
    });
  });

  describe('without an endpoint', () => {
    let gw: TestApp;
    beforeAll(async () => {
      gw = await startTestApp({ ...mockBaseUrls(mock.url), OPENAI_API_KEY: KEY });
    });
    afterAll(async () => gw.close());

    it('starts no SDK and exports nothing', async () => {
      const telemetry = gw.app.get(Telemetry);
      expect(telemetry.enabled).toBe(false);
      expect(telemetry.started).toBe(false);
      const before = rx.bodies.length;
      const prompt = `untraced ${randomUUID()}`;
      const res = await chat(gw, { messages: [{ role: 'user', content: prompt }] });
      expect(res.status).toBe(200);
      await telemetry.flush();
      await gw.app.close();
      // Whatever arrived meanwhile came from the other apps, never this request.
      expect(rx.bodies.slice(before).join('\n')).not.toContain(prompt);
      expect(
        rx.spans.some(
          (s) =>
            s.resource['service.name'] === 'ai-middleware' &&
            s.name === 'POST /v1/chat/completions' &&
            s.traceId === '',
        ),
      ).toBe(false);
    });
  });
});
