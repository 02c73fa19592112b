import OpenAI from 'openai';
import {
  mockDirective,
  startMockUpstream,
  type MockUpstream,
  type RecordedRequest,
} from '../mock-upstream/server';
import { callJson, type Json } from '../support/json';
import { authHeaders, signToken, startTestApp, type TestApp } from '../support/test-app';

/**
 * The generic `openai-compatible` service (vLLM, Ollama, LM Studio, DeepSeek...), added with one
 * adapter file, one service-list line and its catalog data, driven through the real HTTP API with
 * the official OpenAI SDK, against the mock upstream standing in for such a server: once through
 * the deployment's OPENAI_COMPATIBLE_BASE_URL, once through an org's provider key with its own
 * base_url (a tenant endpoint: egress-checked, own connections).
 */

const TOOLS: OpenAI.ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      parameters: { type: 'object', properties: { city: { type: 'string' } } },
    },
  },
];

let n = 0;
/** A key unique to each call, so assertions on recorded upstream requests never collide. */
const key = () => `oc${process.pid}-${++n}`;

const sdk = (gw: TestApp, claims: Record<string, unknown> = {}) =>
  new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: signToken(claims), maxRetries: 0 });

/** Non-stream, stream and a tool round trip for `model`, as any OpenAI client sends them. */
async function exercise(
  client: OpenAI,
  mock: MockUpstream,
  model: string,
): Promise<RecordedRequest[]> {
  const k = key();
  const plain = await client.chat.completions.create({
    model,
    temperature: 1.5,
    seed: 7,
    max_tokens: 60,
    messages: [{ role: 'user', content: `hello local model ${mockDirective({ key: k })}` }],
  });
  expect(plain.model).toBe(model);
  expect(plain.choices[0].message.content).toBe('Echo: hello local model');
  expect(plain.choices[0].finish_reason).toBe('stop');
  expect(plain.usage?.total_tokens).toBeGreaterThan(0);

  const stream = await client.chat.completions.create({
    model,
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: 'user', content: `hello local model ${mockDirective({ key: k })}` }],
  });
  let text = '';
  let usage: OpenAI.CompletionUsage | null | undefined;
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    expect(chunk.model).toBe(model);
    if (chunk.usage) usage = chunk.usage;
    text += chunk.choices[0]?.delta.content ?? '';
  }
  expect(chunks).toBeGreaterThan(3);
  expect(text).toBe(plain.choices[0].message.content);
  expect(usage).toEqual(plain.usage);

  const ask = `weather? ${mockDirective({ key: k, tool_call: { name: 'get_weather', arguments: { city: 'Oslo' } } })}`;
  const first = await client.chat.completions.create({
    model,
    tools: TOOLS,
    messages: [{ role: 'user', content: ask }],
  });
  const call = first.choices[0].message.tool_calls?.[0];
  expect(first.choices[0].finish_reason).toBe('tool_calls');
  expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({
    city: 'Oslo',
  });
  const second = await client.chat.completions.create({
    model,
    tools: TOOLS,
    messages: [
      { role: 'user', content: ask },
      first.choices[0].message,
      { role: 'tool', tool_call_id: call!.id, content: '-3C and snow' },
    ],
  });
  expect(second.choices[0].message.content).toBe('Tool said: -3C and snow');

  const streamedCall = client.chat.completions.stream({
    model,
    tools: TOOLS,
    messages: [{ role: 'user', content: ask }],
  });
  const done = await streamedCall.finalChatCompletion();
  const fn = done.choices[0].message.tool_calls?.[0];
  expect(fn?.type === 'function' && JSON.parse(fn.function.arguments)).toEqual({ city: 'Oslo' });

  const sent = mock.requests({ key: k });
  expect(sent).toHaveLength(5);
  return sent;
}

describe('openai-compatible through OPENAI_COMPATIBLE_BASE_URL', () => {
  let mock: MockUpstream;
  let gw: TestApp;

  beforeAll(async () => {
    mock = await startMockUpstream();
    // No OPENAI_COMPATIBLE_API_KEY: a local server needs none.
    gw = await startTestApp({ OPENAI_COMPATIBLE_BASE_URL: `${mock.url}/v1` });
  });
  afterAll(async () => {
    await gw?.close();
    await mock?.close();
  });

  it('answers, streams and calls tools, passing the model id and parameters through', async () => {
    const sent = await exercise(sdk(gw), mock, 'openai-compatible/llama-3.1-8b-instruct');
    for (const r of sent) {
      expect(r.path).toBe('/v1/chat/completions');
      expect((r.body as Json).model).toBe('llama-3.1-8b-instruct');
    }
    expect(sent[0].body).toMatchObject({ temperature: 1.5, seed: 7, max_tokens: 60 });
    expect(sent[1].body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('keeps any model id, slashes and colons included', async () => {
    const k = key();
    const res = await sdk(gw).chat.completions.create({
      model: 'openai-compatible/Qwen/Qwen2.5-7B-Instruct:q4',
      messages: [{ role: 'user', content: `hi ${mockDirective({ key: k })}` }],
    });
    expect(res.model).toBe('openai-compatible/Qwen/Qwen2.5-7B-Instruct:q4');
    expect((mock.requests({ key: k })[0].body as Json).model).toBe('Qwen/Qwen2.5-7B-Instruct:q4');
  });

  it('runs an agent on it, unpriced (cost_usd null)', async () => {
    const admin = authHeaders(signToken({ scopes: ['admin'] }));
    const agent = await callJson(gw.url, 'POST', '/api/v1/agents', admin, {
      name: `local-${key()}`,
      service: 'openai-compatible',
      model: 'mistral-nemo:12b',
    });
    expect(agent.status).toBe(201);
    const k = key();
    const res = await callJson(gw.url, 'POST', '/api/v2/model/chat/completion', admin, {
      agent_id: agent.body.data.id,
      user: `hi ${mockDirective({ key: k })}`,
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      service: 'openai-compatible',
      model: 'mistral-nemo:12b',
      content: 'Echo: hi',
    });
    expect(res.body.data.usage.total_tokens).toBeGreaterThan(0);
    expect(res.body.data.usage.cost_usd).toBeNull();
  });
});

describe('openai-compatible as an org provider key with a base_url (tenant endpoint)', () => {
  let mock: MockUpstream;
  let gw: TestApp;
  const org = `org-compat-${process.pid}`;
  const orgAdmin = () =>
    authHeaders(signToken({ sub: `admin-${org}`, org_id: org, scopes: ['admin'] }));

  beforeAll(async () => {
    mock = await startMockUpstream();
    // No deployment base URL for the service; the mock's loopback port is allowlisted for
    // tenant-configured URLs (it is private, so refused otherwise).
    gw = await startTestApp({ EGRESS_ALLOWLIST: `127.0.0.1:${mock.port}` });
  });
  afterAll(async () => {
    await gw?.close();
    await mock?.close();
  });

  it('without a base URL anywhere: 503 PROVIDER_UNAVAILABLE naming the key to set', async () => {
    const before = mock.requests().length;
    const err = await sdk(gw, { org_id: `${org}-none` })
      .chat.completions.create({
        model: 'openai-compatible/llama3',
        messages: [{ role: 'user', content: 'hi' }],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect((err as Error).message).toContain('OPENAI_COMPATIBLE_BASE_URL');
    expect(mock.requests().length).toBe(before);
  });

  it('refuses to store a base_url the egress policy does not allow', async () => {
    const res = await callJson(gw.url, 'POST', '/api/v1/provider-keys', orgAdmin(), {
      service: 'openai-compatible',
      api_key: 'sk-org-compat-0123456789',
      base_url: `http://127.0.0.1:${mock.port === 1 ? 2 : 1}/v1`,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.message).toContain('base_url');
  });

  it("answers, streams and calls tools through the org's endpoint with the org's key", async () => {
    const stored = await callJson(gw.url, 'POST', '/api/v1/provider-keys', orgAdmin(), {
      service: 'openai-compatible',
      api_key: 'sk-org-compat-0123456789',
      base_url: `http://127.0.0.1:${mock.port}/tenant/v1`,
    });
    expect(stored.status).toBe(201);
    expect(stored.body.data).toMatchObject({
      service: 'openai-compatible',
      masked_key: 'sk-...6789',
    });

    const sent = await exercise(sdk(gw, { org_id: org }), mock, 'openai-compatible/phi-4');
    for (const r of sent) {
      expect(r.path).toBe('/tenant/v1/chat/completions');
      expect(r.headers.authorization).toBe('Bearer sk-org-compat-0123456789');
      expect((r.body as Json).model).toBe('phi-4');
    }
  });
});
