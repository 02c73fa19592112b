/**
 * ProvidersService against the mock upstream, through the real `openai` and `@anthropic-ai/sdk`
 * clients: plain and streamed calls on every service, tool round trips, usage and cost, keys,
 * catalog validation. Failure paths (errors, retries, fallbacks, timeouts, aborts, breaker)
 * are in providers.failures.spec.ts.
 */
import { Injectable, Logger } from '@nestjs/common';
import { parseAppEnv } from '../../app.env';
import { AppConfigModule } from '../../config';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  mockDirective,
  startMockUpstream,
  type MockUpstream,
} from '../../../test/mock-upstream/server';
import { ModelCatalogService } from './catalog/model-catalog.service';
import { metricsRegistry } from '../../common/metrics/prom';
import { ClientPool } from './client-pool';
import { ProviderKeyResolver } from './provider-key.resolver';
import type { ChatRequest, ServiceName, StreamEvent, ToolDefinition } from './provider.types';
import { ProvidersModule } from './providers.module';
import { PLACEHOLDER_API_KEY, ProvidersService } from './providers.service';
import { RESILIENCE_OPTIONS, type ResilienceOptions } from './resilience/resilience.options';

// Keep the output readable; the attempt log lines are checked with spies where it matters.
beforeAll(() => Logger.overrideLogger(false));

const KEYS = {
  OPENAI_API_KEY: 'sk-test-openai-000000000000000000',
  ANTHROPIC_API_KEY: 'sk-ant-test-000000000000000000',
  GROQ_API_KEY: 'gsk_test_000000000000000000',
  MISTRAL_API_KEY: 'mistral-test-key',
  OPENROUTER_API_KEY: 'sk-or-v1-test-0000000000000000',
  // GEMINI_API_KEY deliberately unset: a custom base URL without a key sends a placeholder.
};

const OPTIONS: ResilienceOptions = {
  timeoutMs: 5000,
  maxRetries: 2,
  baseDelayMs: 1,
  maxDelayMs: 4,
  maxRetryAfterMs: 1000,
  breakerWindowMs: 60_000,
  breakerMinCalls: 1000,
  breakerFailureRate: 0.5,
  breakerMinTenants: 3,
  breakerCooldownMs: 60_000,
  random: () => 0.5,
};

/** One model per service, each with the path its base URL leads to on the mock. */
const SERVICES: Array<{ service: ServiceName; model: string; path: string }> = [
  { service: 'openai', model: 'gpt-4o-mini', path: '/v1/chat/completions' },
  { service: 'anthropic', model: 'claude-haiku-4-5', path: '/v1/messages' },
  { service: 'groq', model: 'llama-3.3-70b-versatile', path: '/openai/v1/chat/completions' },
  { service: 'gemini', model: 'gemini-2.5-flash', path: '/v1beta/openai/chat/completions' },
  { service: 'mistral', model: 'mistral-small-latest', path: '/v1/chat/completions' },
  { service: 'openrouter', model: 'openai/gpt-4o-mini', path: '/api/v1/chat/completions' },
];

const WEATHER_TOOL: ToolDefinition = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

let mock: MockUpstream;
let app: TestingModule;
let providers: ProvidersService;
let seq = 0;
/** A unique directive key per call, so each test finds exactly its own recorded requests. */
const nextKey = () => `svc-${++seq}`;

function env(url: string): Record<string, string> {
  return {
    ...KEYS,
    OPENAI_BASE_URL: `${url}/v1`,
    ANTHROPIC_BASE_URL: url,
    GROQ_BASE_URL: `${url}/openai/v1`,
    GEMINI_BASE_URL: `${url}/v1beta/openai`,
    MISTRAL_BASE_URL: `${url}/v1`,
    OPENROUTER_BASE_URL: `${url}/api/v1`,
  };
}

async function boot(
  extra: Record<string, string> = {},
  resolver?: ProviderKeyResolver,
): Promise<TestingModule> {
  let builder = Test.createTestingModule({
    imports: [
      AppConfigModule.forRoot(parseAppEnv({ NODE_ENV: 'test', ...env(mock.url), ...extra })),
      ProvidersModule,
    ],
  })
    .overrideProvider(RESILIENCE_OPTIONS)
    .useValue(OPTIONS);
  if (resolver) builder = builder.overrideProvider(ProviderKeyResolver).useValue(resolver);
  return builder.compile();
}

function ask(
  service: ServiceName,
  model: string,
  text: string,
  extra: Partial<ChatRequest> = {},
): ChatRequest {
  return { service, model, messages: [{ role: 'user', content: text }], ...extra };
}

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

/** Folds stream events back into what a non-streamed call returns. */
function assemble(events: StreamEvent[]) {
  const calls = new Map<number, { id?: string; name?: string; arguments: string }>();
  let text = '';
  for (const e of events) {
    if (e.type === 'text') text += e.text;
    if (e.type === 'tool_call') {
      const c = calls.get(e.index) ?? { arguments: '' };
      c.id ??= e.id;
      c.name ??= e.name;
      c.arguments += e.arguments;
      calls.set(e.index, c);
    }
  }
  const finish = events.find((e) => e.type === 'finish');
  const usage = events.find((e) => e.type === 'usage');
  return {
    start: events[0],
    text,
    calls: [...calls.entries()].sort(([a], [b]) => a - b).map(([, c]) => c),
    finish: finish?.type === 'finish' ? finish.finish_reason : undefined,
    usage: usage?.type === 'usage' ? usage.usage : undefined,
    types: events.map((e) => e.type),
  };
}

/** The body of the latest request recorded under `key`. */
function recordedBody(key: string): Record<string, unknown> {
  const all = mock.requests({ key });
  expect(all.length).toBeGreaterThan(0);
  return all[all.length - 1].body as Record<string, unknown>;
}

beforeAll(async () => {
  mock = await startMockUpstream();
  app = await boot();
  providers = app.get(ProvidersService);
});

afterAll(async () => {
  await app?.close();
  await mock?.close();
});

describe.each(SERVICES)('$service through its SDK', ({ service, model, path }) => {
  it('completes a plain request, with usage and cost', async () => {
    const key = nextKey();
    const result = await providers.complete(
      ask(service, model, `Hello there ${mockDirective({ key })}`),
    );

    expect(result).toMatchObject({
      service,
      model,
      content: 'Echo: Hello there',
      tool_calls: [],
      finish_reason: 'stop',
      attempts: 1,
    });
    expect(result.id).toEqual(expect.any(String));
    expect(result.usage.input_tokens).toBeGreaterThan(0);
    expect(result.usage.output_tokens).toBeGreaterThan(0);
    expect(result.usage.total_tokens).toBe(result.usage.input_tokens + result.usage.output_tokens);
    const expected = app.get(ModelCatalogService).price(service, model, result.usage);
    expect(expected).toBeGreaterThan(0);
    expect(result.usage.cost_usd).toBe(expected);
    const [req] = mock.requests({ key });
    expect(req.path).toBe(path);
  });

  it('streams the same answer and the same usage as the plain call', async () => {
    const key = nextKey();
    const text = `Stream me a few words please ${mockDirective({ key })}`;
    const plain = await providers.complete(ask(service, model, text));
    const s = assemble(await collect(providers.stream(ask(service, model, text))));

    expect(s.start).toMatchObject({ type: 'start', service, model });
    expect(s.types[s.types.length - 2]).toBe('finish');
    expect(s.types[s.types.length - 1]).toBe('usage');
    expect(s.text).toBe(plain.content);
    expect(s.finish).toBe('stop');
    const body = recordedBody(key);
    expect(body.stream).toBe(true);
    if (service === 'mistral') {
      // Mistral rejects stream_options (it always sends usage in its last chunk); the mock,
      // being OpenAI-strict, only sends usage when asked, so there is none to compare here.
      expect(body.stream_options).toBeUndefined();
    } else {
      if (service !== 'anthropic') expect(body.stream_options).toEqual({ include_usage: true });
      expect(s.usage).toEqual(plain.usage);
    }
  });

  it('asks for a tool, then answers from the tool result', async () => {
    const key = nextKey();
    const directive = mockDirective({
      key,
      tool_call: { name: 'get_weather', arguments: { city: 'Paris' } },
    });
    const first = await providers.complete(
      ask(service, model, `Weather in Paris? ${directive}`, {
        tools: [WEATHER_TOOL],
        tool_choice: 'auto',
      }),
    );
    expect(first.finish_reason).toBe('tool_calls');
    expect(first.tool_calls).toHaveLength(1);
    const call = first.tool_calls[0];
    expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Paris' });

    const second = await providers.complete({
      service,
      model,
      tools: [WEATHER_TOOL],
      messages: [
        { role: 'user', content: `Weather in Paris? ${directive}` },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: 'Sunny, 21C' },
      ],
    });
    expect(second.content).toBe('Tool said: Sunny, 21C');
    expect(second.finish_reason).toBe('stop');
  });

  it('streams tool calls as indexed fragments that reassemble into the arguments', async () => {
    const directive = mockDirective({
      tool_call: [
        { name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } },
        { name: 'get_weather', arguments: { city: 'Tokyo', unit: 'celsius' } },
      ],
    });
    const s = assemble(
      await collect(
        providers.stream(ask(service, model, `Two cities ${directive}`, { tools: [WEATHER_TOOL] })),
      ),
    );
    expect(s.finish).toBe('tool_calls');
    expect(s.calls).toHaveLength(2);
    expect(s.calls.map((c) => c.name)).toEqual(['get_weather', 'get_weather']);
    expect(s.calls.every((c) => typeof c.id === 'string' && c.id.length > 0)).toBe(true);
    expect(s.calls.map((c) => JSON.parse(c.arguments) as unknown)).toEqual([
      { city: 'Paris', unit: 'celsius' },
      { city: 'Tokyo', unit: 'celsius' },
    ]);
  });
});

describe('what each service receives', () => {
  it('openai: max_completion_tokens, developer role kept, user forwarded', async () => {
    const key = nextKey();
    await providers.complete({
      service: 'openai',
      model: 'gpt-4o-mini',
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: `Hi ${mockDirective({ key })}` },
      ],
      params: { max_tokens: 50, temperature: 0.2, seed: 7 },
      user: 'user-1',
    });
    const body = recordedBody(key);
    expect(body).toMatchObject({
      max_completion_tokens: 50,
      temperature: 0.2,
      seed: 7,
      user: 'user-1',
    });
    expect(body.max_tokens).toBeUndefined();
    expect((body.messages as Array<{ role: string }>)[0].role).toBe('developer');
    expect(mock.requests({ key })[0].headers.authorization).toBe(`Bearer ${KEYS.OPENAI_API_KEY}`);
  });

  it('anthropic: system separate, max_tokens from the catalog, tools and tool_choice mapped', async () => {
    const key = nextKey();
    await providers.complete({
      service: 'anthropic',
      model: 'claude-haiku-4-5',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in English.' }] },
        { role: 'user', content: `Hi ${mockDirective({ key })}` },
      ],
      params: { stop: 'END' },
      tools: [WEATHER_TOOL],
      tool_choice: 'required',
      parallel_tool_calls: false,
      user: 'user-1',
    });
    const body = recordedBody(key);
    expect(body.system).toBe('You are terse.\n\nAnswer in English.');
    // No max_tokens from the client: the model's own maximum output from the catalog.
    expect(body.max_tokens).toBe(64000);
    expect(body.stop_sequences).toEqual(['END']);
    expect(body.tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true });
    expect(body.tools).toEqual([
      {
        name: 'get_weather',
        description: 'Current weather for a city',
        input_schema: WEATHER_TOOL.function.parameters,
      },
    ]);
    expect(body.metadata).toEqual({ user_id: 'user-1' });
    expect((body.messages as Array<{ role: string }>).map((m) => m.role)).toEqual(['user']);
    for (const absent of ['temperature', 'top_p', 'top_k', 'seed', 'presence_penalty']) {
      expect(body[absent]).toBeUndefined();
    }
  });

  it('anthropic: tool_use blocks for assistant calls, consecutive results merged into one user turn', async () => {
    const key = nextKey();
    const calls = [
      {
        id: 'call_a1',
        type: 'function' as const,
        function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
      },
      {
        id: 'call_b2',
        type: 'function' as const,
        function: { name: 'get_weather', arguments: '{"city":"Rome"}' },
      },
    ];
    const result = await providers.complete({
      service: 'anthropic',
      model: 'claude-haiku-4-5',
      tools: [WEATHER_TOOL],
      messages: [
        { role: 'user', content: `Paris and Rome? ${mockDirective({ key })}` },
        { role: 'assistant', content: 'Checking both.', tool_calls: calls },
        { role: 'tool', tool_call_id: 'call_a1', content: 'Sunny' },
        { role: 'tool', tool_call_id: 'call_b2', content: 'Rainy' },
      ],
    });
    expect(result.content).toBe('Tool said: Sunny\nRainy');
    const messages = recordedBody(key).messages as Array<{ role: string; content: unknown }>;
    expect(messages).toHaveLength(3);
    expect(messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'text', text: 'Checking both.' },
        { type: 'tool_use', id: 'call_a1', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'call_b2', name: 'get_weather', input: { city: 'Rome' } },
      ],
    });
    expect(messages[2]).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'call_a1', content: 'Sunny' },
        { type: 'tool_result', tool_use_id: 'call_b2', content: 'Rainy' },
      ],
    });
  });

  it('anthropic: image parts become base64 and url image blocks', async () => {
    const key = nextKey();
    await providers.complete({
      service: 'anthropic',
      model: 'claude-haiku-4-5',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: `Compare ${mockDirective({ key })}` },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
    });
    const [message] = recordedBody(key).messages as Array<{ content: unknown[] }>;
    expect(message.content.slice(1)).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ]);
  });

  it('mistral: random_seed instead of seed, 9-character tool ids, no user', async () => {
    const key = nextKey();
    await providers.complete({
      service: 'mistral',
      model: 'mistral-small-latest',
      params: { seed: 42, temperature: 0.3 },
      user: 'user-1',
      tools: [WEATHER_TOOL],
      tool_choice: 'required',
      messages: [
        { role: 'user', content: `Paris? ${mockDirective({ key })}` },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_0123456789abcdef',
              type: 'function',
              function: { name: 'get_weather', arguments: '{}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_0123456789abcdef', content: 'Sunny' },
      ],
    });
    const body = recordedBody(key);
    expect(body.random_seed).toBe(42);
    expect(body.seed).toBeUndefined();
    expect(body.user).toBeUndefined();
    expect(body.tool_choice).toBe('any');
    const messages = body.messages as Array<{
      tool_calls?: Array<{ id: string }>;
      tool_call_id?: string;
    }>;
    const id = messages[1].tool_calls?.[0].id;
    expect(id).toMatch(/^[a-zA-Z0-9]{9}$/);
    expect(messages[2].tool_call_id).toBe(id);
  });

  it('groq: no messages[].name, developer sent as system', async () => {
    const key = nextKey();
    await providers.complete({
      service: 'groq',
      model: 'llama-3.1-8b-instant',
      messages: [
        { role: 'developer', content: 'Be brief.', name: 'ops' },
        { role: 'user', content: `Hi ${mockDirective({ key })}`, name: 'alice' },
      ],
      params: { max_tokens: 20 },
    });
    const body = recordedBody(key);
    const messages = body.messages as Array<Record<string, unknown>>;
    expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(messages.every((m) => m.name === undefined)).toBe(true);
    expect(body.max_completion_tokens).toBe(20);
  });

  it('gemini: no user or parallel_tool_calls; a placeholder key when only a base URL is set', async () => {
    const key = nextKey();
    await providers.complete({
      service: 'gemini',
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: `Hi ${mockDirective({ key })}` }],
      tools: [WEATHER_TOOL],
      parallel_tool_calls: true,
      user: 'user-1',
    });
    const body = recordedBody(key);
    expect(body.user).toBeUndefined();
    expect(body.parallel_tool_calls).toBeUndefined();
    expect(mock.requests({ key })[0].headers.authorization).toBe(`Bearer ${PLACEHOLDER_API_KEY}`);
  });

  it('openrouter: attribution headers, and any vendor/model id passes through priced as unknown', async () => {
    const key = nextKey();
    const result = await providers.complete(
      ask('openrouter', 'some-lab/brand-new-model', `Hi ${mockDirective({ key })}`, {
        params: { top_k: 40 },
      }),
    );
    expect(result.usage.cost_usd).toBeNull();
    const [req] = mock.requests({ key });
    expect(req.headers['http-referer']).toEqual(expect.stringMatching(/^https:\/\//));
    expect(req.headers['x-title']).toBe('AI Middleware');
    expect(req.headers['x-openrouter-title']).toBe('AI Middleware');
    expect((req.body as { model: string; top_k: number }).model).toBe('some-lab/brand-new-model');
    expect((req.body as { top_k: number }).top_k).toBe(40);
    // A client-chosen id never becomes a metrics label (bounded cardinality, no tenant data).
    const metrics = await metricsRegistry.metrics();
    expect(metrics).not.toContain('brand-new-model');
    expect(metrics).toMatch(/gateway_provider_attempts_total\{service="openrouter",model="other"/);
  });
});

describe('openai-compatible (any OpenAI-compatible server)', () => {
  it('passes any model id and parameter through, unpriced, with the plain dialect and no key', async () => {
    const svc = await boot({ OPENAI_COMPATIBLE_BASE_URL: `${mock.url}/v1/` });
    try {
      const key = nextKey();
      const result = await svc.get(ProvidersService).complete({
        service: 'openai-compatible',
        model: 'qwen2.5:7b-instruct',
        messages: [
          { role: 'developer', content: 'Be brief.' },
          { role: 'user', content: `Hi ${mockDirective({ key })}` },
        ],
        params: { temperature: 1.7, max_tokens: 50, min_p: 0.05, repetition_penalty: 1.1 },
      });
      expect(result).toMatchObject({
        service: 'openai-compatible',
        model: 'qwen2.5:7b-instruct',
        content: 'Echo: Hi',
      });
      expect(result.usage.total_tokens).toBeGreaterThan(0);
      expect(result.usage.cost_usd).toBeNull();
      const [req] = mock.requests({ key });
      expect(req.path).toBe('/v1/chat/completions');
      expect(req.headers.authorization).toBe(`Bearer ${PLACEHOLDER_API_KEY}`);
      expect(req.body).toMatchObject({
        model: 'qwen2.5:7b-instruct',
        messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user' }],
        temperature: 1.7,
        max_tokens: 50,
        min_p: 0.05,
        repetition_penalty: 1.1,
      });
    } finally {
      await svc.close();
    }
  });

  it('sends OPENAI_COMPATIBLE_API_KEY when it is set', async () => {
    const svc = await boot({
      OPENAI_COMPATIBLE_BASE_URL: `${mock.url}/v1`,
      OPENAI_COMPATIBLE_API_KEY: 'sk-vllm-000000000000',
    });
    try {
      const key = nextKey();
      await svc
        .get(ProvidersService)
        .complete(ask('openai-compatible', 'm', `Hi ${mockDirective({ key })}`));
      expect(mock.requests({ key })[0].headers.authorization).toBe('Bearer sk-vllm-000000000000');
    } finally {
      await svc.close();
    }
  });

  it('without a base URL: PROVIDER_UNAVAILABLE naming the key to set, nothing sent', async () => {
    const before = mock.requests().length;
    await expect(
      providers.complete(ask('openai-compatible', 'llama3', 'hi')),
    ).rejects.toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      status: 503,
      message: expect.stringContaining('OPENAI_COMPATIBLE_BASE_URL'),
      details: { reason: 'no_base_url', config_key: 'OPENAI_COMPATIBLE_BASE_URL' },
    });
    // A fallback still serves.
    const served = await providers.complete(ask('openai-compatible', 'llama3', 'hi'), {
      fallbacks: [{ service: 'openai', model: 'gpt-4o-mini' }],
    });
    expect(served).toMatchObject({ service: 'openai', model: 'gpt-4o-mini' });
    expect(mock.requests().length).toBe(before + 1);
  });
});

describe('catalog validation before any call', () => {
  const before = () => mock.requests().length;

  it.each([
    [
      'an out-of-range value',
      ask('openai', 'gpt-4o-mini', 'x', { params: { temperature: 3 } }),
      'temperature',
    ],
    [
      'a parameter the model does not take',
      ask('openai', 'o4-mini', 'x', { params: { temperature: 0.5 } }),
      'temperature',
    ],
    [
      'an Anthropic temperature above its range of 0-1',
      ask('anthropic', 'claude-haiku-4-5', 'x', { params: { temperature: 1.5 } }),
      'temperature',
    ],
    [
      'seed on Anthropic (no such parameter on the Messages API)',
      ask('anthropic', 'claude-haiku-4-5', 'x', { params: { seed: 1 } }),
      'seed',
    ],
    [
      'max_tokens above the model limit',
      ask('groq', 'llama-3.3-70b-versatile', 'x', { params: { max_tokens: 10_000_000 } }),
      'max_tokens',
    ],
    [
      'a misspelt parameter',
      ask('mistral', 'mistral-small-latest', 'x', { params: { temprature: 0.5 } }),
      'temprature',
    ],
    ['an unknown model on a service that lists its models', ask('openai', 'gpt-99', 'x'), 'model'],
    [
      'tool_choice without tools',
      ask('openai', 'gpt-4o', 'x', { tool_choice: 'required' }),
      'tool_choice',
    ],
    [
      'an enum value outside the list',
      ask('openai', 'gpt-5', 'x', { params: { reasoning_effort: 'extreme' } }),
      'reasoning_effort',
    ],
  ])('rejects %s with 400 naming the parameter', async (_label, req, param) => {
    const count = before();
    await expect(providers.complete(req)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      status: 400,
      param,
    });
    expect(() => providers.stream(req)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', param }),
    );
    expect(mock.requests().length).toBe(count);
  });

  it('rejects tools and images for models without them (operator override)', async () => {
    const catalog = app.get(ModelCatalogService);
    catalog.setOverrides({
      services: {
        openai: { models: { 'gpt-4o-mini': { features: { tools: false, vision: false } } } },
      },
    });
    try {
      await expect(
        providers.complete(ask('openai', 'gpt-4o-mini', 'x', { tools: [WEATHER_TOOL] })),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', param: 'tools' });
      await expect(
        providers.complete({
          service: 'openai',
          model: 'gpt-4o-mini',
          messages: [
            {
              role: 'user',
              content: [{ type: 'image_url', image_url: { url: 'https://x.test/a.png' } }],
            },
          ],
        }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', param: 'messages[0].content[0]' });
    } finally {
      catalog.setOverrides(null);
    }
  });

  it('parses model references, with slashes inside the model id', () => {
    expect(providers.parseModelRef('openai/gpt-4o-mini')).toEqual({
      service: 'openai',
      model: 'gpt-4o-mini',
    });
    expect(providers.parseModelRef('openrouter/meta-llama/llama-3.1-8b')).toEqual({
      service: 'openrouter',
      model: 'meta-llama/llama-3.1-8b',
    });
    expect(() => providers.parseModelRef('acme/model-1')).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', status: 400, param: 'model' }),
    );
    expect(() => providers.parseModelRef('gpt-4o')).toThrow(
      expect.objectContaining({ param: 'model' }),
    );
  });

  it('lists the catalog', () => {
    const listing = providers.listModels();
    expect(listing.version).toBe('2026-12-04');
    expect(listing.models.map((m) => m.id)).toEqual(
      expect.arrayContaining([
        'openai/gpt-4o-mini',
        'anthropic/claude-haiku-4-5',
        'openrouter/openai/gpt-4o-mini',
      ]),
    );
  });
});

describe('credentials and clients', () => {
  it('reuses one SDK client per (service, key, base URL)', async () => {
    const pool = app.get(ClientPool);
    await providers.complete(ask('openai', 'gpt-4o-mini', 'one'));
    const size = pool.size;
    await providers.complete(ask('openai', 'gpt-4o-mini', 'two'));
    await collect(providers.stream(ask('openai', 'gpt-4o-mini', 'three')));
    expect(pool.size).toBe(size);
  });

  it("uses the org's key over the deployment key", async () => {
    const resolver = new (class extends ProviderKeyResolver {
      resolve(orgId: string, service: ServiceName) {
        return Promise.resolve(
          orgId === 'org-1' && service === 'openai'
            ? { apiKey: 'sk-org-one-key-000000' }
            : undefined,
        );
      }
    })();
    const orgApp = await boot({}, resolver);
    try {
      const svc = orgApp.get(ProvidersService);
      const k1 = nextKey();
      const k2 = nextKey();
      await svc.complete(ask('openai', 'gpt-4o-mini', `a ${mockDirective({ key: k1 })}`), {
        orgId: 'org-1',
      });
      await svc.complete(ask('openai', 'gpt-4o-mini', `b ${mockDirective({ key: k2 })}`), {
        orgId: 'org-2',
      });
      expect(mock.requests({ key: k1 })[0].headers.authorization).toBe(
        'Bearer sk-org-one-key-000000',
      );
      expect(mock.requests({ key: k2 })[0].headers.authorization).toBe(
        `Bearer ${KEYS.OPENAI_API_KEY}`,
      );
    } finally {
      await orgApp.close();
    }
  });

  it('plugs an org-key resolver class in through ProvidersModule.forRoot', async () => {
    @Injectable()
    class StoredKeys extends ProviderKeyResolver {
      resolve(orgId: string, service: ServiceName) {
        return Promise.resolve(
          service === 'anthropic' ? { apiKey: `sk-ant-${orgId}-000000000` } : undefined,
        );
      }
    }
    const rooted = await Test.createTestingModule({
      imports: [
        AppConfigModule.forRoot(parseAppEnv({ NODE_ENV: 'test', ...env(mock.url) })),
        ProvidersModule.forRoot({ keyResolver: StoredKeys }),
      ],
    })
      .overrideProvider(RESILIENCE_OPTIONS)
      .useValue(OPTIONS)
      .compile();
    try {
      const key = nextKey();
      await rooted
        .get(ProvidersService)
        .complete(ask('anthropic', 'claude-haiku-4-5', `a ${mockDirective({ key })}`), {
          orgId: 'acme',
        });
      expect(mock.requests({ key })[0].headers.authorization).toBe('Bearer sk-ant-acme-000000000');
    } finally {
      await rooted.close();
    }
  });

  it('refuses a service with neither key nor custom base URL (PROVIDER_UNAVAILABLE)', async () => {
    const bare = await boot({ GROQ_API_KEY: '', GROQ_BASE_URL: '' });
    try {
      await expect(
        bare.get(ProvidersService).complete(ask('groq', 'llama-3.1-8b-instant', 'hi')),
      ).rejects.toMatchObject({
        code: 'PROVIDER_UNAVAILABLE',
        status: 503,
        message: 'no API key configured for groq',
      });
    } finally {
      await bare.close();
    }
  });
});
