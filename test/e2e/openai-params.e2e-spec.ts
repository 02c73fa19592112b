import OpenAI from 'openai';
import { mockDirective } from '../mock-upstream/server';
import { startGatewayWithMock, type GatewayWithMock } from '../support/gateway-with-mock';

/**
 * The parameter policy of POST /v1/chat/completions, driven by the official openai SDK: every
 * OpenAI parameter is accepted, passed on where the model takes it, otherwise dropped and named
 * in x-gateway-dropped-params, or refused with a 400 naming it in strict mode.
 */
describe('POST /v1/chat/completions parameter policy (openai SDK)', () => {
  let t: GatewayWithMock;
  let client: OpenAI;
  let n = 0;
  /** A key unique to each call, so assertions on recorded upstream requests never collide. */
  const key = () => `p${process.pid}-${++n}`;
  const ask = (k: string, text = 'hello') => [
    { role: 'user' as const, content: `${text} ${mockDirective({ key: k })}` },
  ];
  const sentBody = (k: string) => {
    const recorded = t.mock.requests({ key: k });
    expect(recorded).toHaveLength(1);
    return recorded[0].body as Record<string, unknown>;
  };

  beforeAll(async () => {
    t = await startGatewayWithMock();
    client = t.client();
  });
  afterAll(async () => {
    await t.close();
  });

  it('accepts the OpenAI parameters on openai/gpt-4o-mini and passes them upstream', async () => {
    const k = key();
    const extras = {
      logprobs: true,
      top_logprobs: 2,
      logit_bias: { '50256': -100 },
      metadata: { team: 'search' },
      store: true,
      service_tier: 'auto' as const,
      prompt_cache_key: 'cache-key-1',
      safety_identifier: 'user-hash-1',
      seed: 42,
      temperature: 0.3,
      top_p: 0.9,
      presence_penalty: 0.1,
      frequency_penalty: 0.2,
      stop: ['END'],
      parallel_tool_calls: false,
      user: 'end-user-1',
    };
    const { data, response } = await client.chat.completions
      .create({
        model: 'openai/gpt-4o-mini',
        messages: ask(k),
        max_completion_tokens: 50,
        n: 1,
        ...extras,
      })
      .withResponse();
    expect(data.choices[0].message.content).toBe('Echo: hello');
    expect(response.headers.get('x-gateway-dropped-params')).toBeNull();
    const body = sentBody(k);
    const { parallel_tool_calls: _noTools, ...forwarded } = extras;
    expect(body).toMatchObject(forwarded);
    expect(body.max_completion_tokens).toBe(50);
  });

  it('drops what gpt-4o-mini cannot take and names it, on JSON and stream responses', async () => {
    const k = key();
    const { response } = await client.chat.completions
      .create({
        model: 'openai/gpt-4o-mini',
        messages: ask(k),
        reasoning_effort: 'low',
        verbosity: 'low',
      })
      .withResponse();
    expect(response.headers.get('x-gateway-dropped-params')).toBe('reasoning_effort, verbosity');
    const body = sentBody(k);
    expect(body).not.toHaveProperty('reasoning_effort');

    const ks = key();
    const streamed = await client.chat.completions
      .create({
        model: 'openai/gpt-4o-mini',
        messages: ask(ks),
        verbosity: 'high',
        stream: true,
      })
      .withResponse();
    expect(streamed.response.headers.get('x-gateway-dropped-params')).toBe('verbosity');
    let text = '';
    for await (const chunk of streamed.data) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Echo: hello');
  });

  it('passes reasoning_effort to o4-mini (the catalog lists it)', async () => {
    const k = key();
    const { response } = await client.chat.completions
      .create({ model: 'openai/o4-mini', messages: ask(k), reasoning_effort: 'high' })
      .withResponse();
    expect(response.headers.get('x-gateway-dropped-params')).toBeNull();
    expect(sentBody(k).reasoning_effort).toBe('high');
  });

  it('accepts the parsed/refusal/annotations fields the SDK helpers add to an assistant message', async () => {
    const k = key();
    const res = await client.chat.completions.create({
      model: 'anthropic/claude-sonnet-4-6',
      messages: [
        { role: 'user', content: 'first' },
        {
          role: 'assistant',
          content: '{"a":1}',
          refusal: null,
          annotations: [],
          parsed: { a: 1 },
        } as OpenAI.ChatCompletionAssistantMessageParam,
        ...ask(k, 'second'),
      ],
    });
    expect(res.choices[0].message.content).toBe('Echo: second');
    const sent = JSON.stringify(sentBody(k).messages);
    expect(sent).not.toMatch(/parsed|refusal|annotations/);
  });

  it('sends temperature alone to an Anthropic model (on API version 2023-06-01)', async () => {
    const k = key();
    const { data, response } = await client.chat.completions
      .create({ model: 'anthropic/claude-sonnet-4-6', messages: ask(k), temperature: 0.2 })
      .withResponse();
    expect(data.choices[0].message.content).toBe('Echo: hello');
    expect(response.headers.get('x-gateway-dropped-params')).toBeNull();
    const recorded = t.mock.requests({ key: k });
    expect((recorded[0].body as Record<string, unknown>).temperature).toBe(0.2);
    expect(recorded[0].headers['anthropic-version']).toBe('2023-06-01');
  });

  it('drops seed, top_p-with-temperature and OpenAI-only parameters for Anthropic, naming them', async () => {
    const k = key();
    const { data, response } = await client.chat.completions
      .create({
        model: 'anthropic/claude-haiku-4-5',
        messages: ask(k),
        temperature: 0.5,
        top_p: 0.9,
        seed: 7,
        logprobs: true,
        metadata: { team: 'x' },
      })
      .withResponse();
    expect(data.choices[0].message.content).toBe('Echo: hello');
    expect(response.headers.get('x-gateway-dropped-params')).toBe(
      'seed, logprobs, metadata, top_p',
    );
    const body = sentBody(k);
    expect(body.temperature).toBe(0.5);
    for (const p of ['top_p', 'seed', 'logprobs']) expect(body).not.toHaveProperty(p);
  });

  it('strict mode (x-gateway-strict-params: true) refuses instead, naming the parameter', async () => {
    const k = key();
    const attempt = client.chat.completions.create(
      { model: 'anthropic/claude-haiku-4-5', messages: ask(k), seed: 7 },
      { headers: { 'x-gateway-strict-params': 'true' } },
    );
    await expect(attempt).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    const err = (await attempt.catch((e: unknown) => e)) as InstanceType<
      typeof OpenAI.BadRequestError
    >;
    expect(err.status).toBe(400);
    expect(err.param).toBe('seed');
    expect(err.message).toMatch(/seed is not supported by anthropic\/claude-haiku-4-5/);

    const both = client.chat.completions.create(
      { model: 'anthropic/claude-haiku-4-5', messages: ask(k), temperature: 0.5, top_p: 0.9 },
      { headers: { 'x-gateway-strict-params': 'true' } },
    );
    await expect(both).rejects.toMatchObject({ status: 400, param: 'top_p' });
    expect(t.mock.requests({ key: k })).toHaveLength(0);
  });

  it('still refuses a wrong type with a 400 naming the field', async () => {
    const bad = client.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: ask(key()),
      top_logprobs: 'many' as unknown as number,
    });
    await expect(bad).rejects.toMatchObject({ status: 400 });
    const err = (await bad.catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/top_logprobs/);
  });

  it('defaults max_tokens to the catalog maximum of the model when the client sends none', async () => {
    const k = key();
    const models = (await client.models.list()).data as unknown as Array<{
      id: string;
      max_output_tokens?: number;
    }>;
    await client.chat.completions.create({
      model: 'anthropic/claude-sonnet-4-6',
      messages: ask(k),
    });
    expect(sentBody(k).max_tokens).toBe(64000);
    const listed = models.find((m) => m.id === 'anthropic/claude-sonnet-4-6');
    if (listed?.max_output_tokens !== undefined) expect(listed.max_output_tokens).toBe(64000);
  });

  it('documents the dropped-params header and strict mode in Swagger', async () => {
    const doc = (await (await fetch(`${t.gw.url}/docs-json`)).json()) as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    const op = doc.paths['/v1/chat/completions'].post as {
      parameters: Array<{ name: string; in: string }>;
      responses: Record<string, { headers?: Record<string, unknown> }>;
    };
    expect(op.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'x-gateway-strict-params', in: 'header' }),
      ]),
    );
    expect(Object.keys(op.responses['200'].headers ?? {})).toEqual(
      expect.arrayContaining(['x-gateway-dropped-params', 'x-cache']),
    );
    expect(op.responses['400']).toBeDefined();
  });

  it('resolves a bare model id through the catalog', async () => {
    const k = key();
    const res = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: ask(k) });
    expect(res.model).toBe('openai/gpt-4o-mini');
    expect(sentBody(k).model).toBe('gpt-4o-mini');
    const unknown = client.chat.completions.create({ model: 'no-such-model', messages: ask(k) });
    await expect(unknown).rejects.toMatchObject({ param: 'model' });
  });
});

describe('POST /v1/chat/completions x-cache header', () => {
  let t: GatewayWithMock;
  let client: OpenAI;

  beforeAll(async () => {
    t = await startGatewayWithMock();
    client = t.client();
  });
  afterAll(async () => {
    await t.close();
  });

  it('says miss, then hit for the same cacheable request, on JSON and stream responses', async () => {
    const k = `c${process.pid}-${Date.now()}`;
    const body = {
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user' as const, content: `cache me ${mockDirective({ key: k })}` }],
    };
    const opts = { headers: { 'x-cache-ttl': '60' } };
    const first = await client.chat.completions.create(body, opts).withResponse();
    expect(first.response.headers.get('x-cache')).toBe('miss');
    const second = await client.chat.completions.create(body, opts).withResponse();
    expect(second.response.headers.get('x-cache')).toBe('hit');
    expect(second.data.choices[0].message.content).toBe(first.data.choices[0].message.content);
    expect(t.mock.requests({ key: k })).toHaveLength(1);

    const streamed = await client.chat.completions
      .create({ ...body, stream: true }, opts)
      .withResponse();
    expect(streamed.response.headers.get('x-cache')).toBe('hit');
    let text = '';
    for await (const chunk of streamed.data) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(first.data.choices[0].message.content);

    const fresh = await client.chat.completions
      .create(
        {
          ...body,
          messages: [{ role: 'user', content: `other ${mockDirective({ key: k })}` }],
          stream: true,
        },
        opts,
      )
      .withResponse();
    expect(fresh.response.headers.get('x-cache')).toBe('miss');
    for await (const _chunk of fresh.data) void _chunk;
    expect(t.mock.requests({ key: k })).toHaveLength(2);
  });
});

describe('STRICT_PARAMS=true deployment', () => {
  let t: GatewayWithMock;

  beforeAll(async () => {
    t = await startGatewayWithMock({ STRICT_PARAMS: 'true' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses a parameter the model cannot take without any request header', async () => {
    const attempt = t.client().chat.completions.create({
      model: 'openai/gpt-5',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0.4,
    });
    await expect(attempt).rejects.toMatchObject({ status: 400, param: 'temperature' });
  });
});
