import OpenAI from 'openai';
import { mockDirective } from '../mock-upstream/server';
import { startGatewayWithMock, type GatewayWithMock } from '../support/gateway-with-mock';
import { BackgroundTasks } from '../../src/modules/completions/pipeline/background-tasks';

describe('POST /v1/chat/completions through the official openai SDK', () => {
  let t: GatewayWithMock;
  let client: OpenAI;
  let n = 0;
  /** A key unique to each call, so assertions on recorded upstream requests never collide. */
  const key = () => `k${process.pid}-${++n}`;

  beforeAll(async () => {
    t = await startGatewayWithMock();
    client = t.client();
  });
  afterAll(async () => {
    await t.close();
  });

  it.each([
    'openai/gpt-4o-mini',
    'anthropic/claude-sonnet-4-6',
    'groq/llama-3.3-70b-versatile',
    'mistral/mistral-small-latest',
    'gemini/gemini-2.5-flash',
    'openrouter/meta-llama/llama-3.1-8b-instruct',
  ])('answers in OpenAI shape for %s', async (model) => {
    const res = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'hello there' }],
    });
    expect(res.object).toBe('chat.completion');
    expect(res.id).toMatch(/^chatcmpl-/);
    expect(res.model).toBe(model);
    expect(res.choices[0].message).toMatchObject({
      role: 'assistant',
      content: 'Echo: hello there',
    });
    expect(res.choices[0].finish_reason).toBe('stop');
    expect(res.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(res.usage?.total_tokens).toBe(
      (res.usage?.prompt_tokens ?? 0) + (res.usage?.completion_tokens ?? 0),
    );
  });

  it.each(['openai/gpt-4o-mini', 'anthropic/claude-sonnet-4-6'])(
    'streams %s with the same content and usage as the JSON answer',
    async (model) => {
      const messages = [{ role: 'user' as const, content: 'stream me a few words' }];
      const plain = await client.chat.completions.create({ model, messages });
      const stream = await client.chat.completions.create({
        model,
        messages,
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let usage: OpenAI.CompletionUsage | null | undefined;
      let finish: string | null = null;
      let chunks = 0;
      for await (const chunk of stream) {
        chunks++;
        expect(chunk.object).toBe('chat.completion.chunk');
        if (chunk.usage) usage = chunk.usage;
        const choice = chunk.choices[0];
        if (choice?.delta.content) text += choice.delta.content;
        if (choice?.finish_reason) finish = choice.finish_reason;
      }
      expect(chunks).toBeGreaterThan(3);
      expect(text).toBe(plain.choices[0].message.content);
      expect(finish).toBe('stop');
      expect(usage).toEqual(plain.usage);
    },
  );

  it('returns client tool calls to the client and completes the round trip with the tool result', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ];
    for (const model of ['openai/gpt-4o-mini', 'anthropic/claude-sonnet-4-6']) {
      const ask = `weather? ${mockDirective({ tool_call: { name: 'get_weather', arguments: { city: 'Paris' } } })}`;
      const first = await client.chat.completions.create({
        model,
        tools,
        messages: [{ role: 'user', content: ask }],
      });
      const call = first.choices[0].message.tool_calls?.[0];
      expect(first.choices[0].finish_reason).toBe('tool_calls');
      expect(call?.type === 'function' && call.function).toMatchObject({ name: 'get_weather' });
      expect(JSON.parse(call?.type === 'function' ? call.function.arguments : '{}')).toEqual({
        city: 'Paris',
      });
      const second = await client.chat.completions.create({
        model,
        tools,
        messages: [
          { role: 'user', content: ask },
          first.choices[0].message,
          { role: 'tool', tool_call_id: call!.id, content: '18C and sunny' },
        ],
      });
      expect(second.choices[0].message.content).toBe('Tool said: 18C and sunny');
    }
  });

  it('streams tool-call fragments that the SDK assembles', async () => {
    const stream = client.chat.completions.stream({
      model: 'anthropic/claude-sonnet-4-6',
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
      messages: [
        {
          role: 'user',
          content: `go ${mockDirective({ tool_call: { name: 'lookup', arguments: { q: 'a long query string' } } })}`,
        },
      ],
    });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0].message.tool_calls?.[0];
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({
      q: 'a long query string',
    });
    expect(final.choices[0].finish_reason).toBe('tool_calls');
  });

  it('maps upstream failures to OpenAI errors the SDK understands', async () => {
    const rateLimited = client.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: `x ${mockDirective({ status: 400 })}` }],
    });
    await expect(rateLimited).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    const down = client.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: `x ${mockDirective({ status: 401 })}` }],
    });
    await expect(down).rejects.toMatchObject({
      status: 502,
      error: expect.objectContaining({ code: 'provider_error' }),
    });
  });

  it('retries a transient upstream failure and succeeds', async () => {
    const k = key();
    const res = await client.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: [
        {
          role: 'user',
          content: `retry ${mockDirective({ fail_first: 1, key: k, status: 503, retry_after_ms: 1 })}`,
        },
      ],
    });
    expect(res.choices[0].message.content).toBe('Echo: retry');
    expect(t.mock.requests({ key: k })).toHaveLength(2);
  });

  it('rejects an unknown service and an out-of-range parameter naming the param', async () => {
    await expect(
      client.chat.completions.create({
        model: 'nope/model',
        messages: [{ role: 'user', content: 'x' }],
      }),
    ).rejects.toMatchObject({
      // Not a service prefix, so looked up whole in the catalog like a bare id: not served.
      status: 404,
      param: 'model',
    });
    await expect(
      client.chat.completions.create({
        model: 'anthropic/claude-sonnet-4-6',
        // Anthropic's range is 0-1: out of range for the model is still a 400, not a drop.
        temperature: 1.5,
        messages: [{ role: 'user', content: 'x' }],
      }),
    ).rejects.toMatchObject({ status: 400, param: 'temperature' });
  });

  it('keeps history under x-thread-id and appends nothing for a failed call', async () => {
    const thread = `thr-${key()}`;
    const headers = { 'x-thread-id': thread };
    await client.chat.completions.create(
      { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'first' }] },
      { headers },
    );
    await t.gw.app.get(BackgroundTasks).drain();
    await expect(
      client.chat.completions.create(
        {
          model: 'openai/gpt-4o-mini',
          messages: [{ role: 'user', content: `fails ${mockDirective({ status: 400 })}` }],
        },
        { headers },
      ),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await t.gw.app.get(BackgroundTasks).drain();
    const k = key();
    await client.chat.completions.create(
      {
        model: 'openai/gpt-4o-mini',
        messages: [{ role: 'user', content: `second ${mockDirective({ key: k })}` }],
      },
      { headers },
    );
    const sent = t.mock.requests({ key: k })[0].body as {
      messages: Array<{ role: string; content: string }>;
    };
    expect(sent.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'first'],
      ['assistant', 'Echo: first'],
      ['user', expect.stringContaining('second')],
    ]);
  });

  it('serves a deterministic repeat from the cache, per org, and honours x-cache-ttl: 0 and no-cache', async () => {
    const k = key();
    const body = {
      model: 'openai/gpt-4o-mini',
      temperature: 0,
      messages: [{ role: 'user' as const, content: `cache me ${mockDirective({ key: k })}` }],
    };
    const first = await client.chat.completions.create(body);
    const second = await client.chat.completions.create(body);
    expect(second.choices[0].message.content).toBe(first.choices[0].message.content);
    expect(t.mock.requests({ key: k })).toHaveLength(1);
    await client.chat.completions.create(body, { headers: { 'cache-control': 'no-cache' } });
    await client.chat.completions.create(body, { headers: { 'x-cache-ttl': '0' } });
    expect(t.mock.requests({ key: k })).toHaveLength(3);
    await t.client({ org_id: 'another-org' }).chat.completions.create(body);
    expect(t.mock.requests({ key: k })).toHaveLength(4);
  });

  it('calls the provider once for concurrent identical cache misses', async () => {
    const k = key();
    const body = {
      model: 'openai/gpt-4o-mini',
      messages: [
        { role: 'user' as const, content: `burst ${mockDirective({ key: k, delay_ms: 50 })}` },
      ],
    };
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        client.chat.completions.create(body, { headers: { 'x-cache-ttl': '60' } }),
      ),
    );
    expect(new Set(answers.map((a) => a.choices[0].message.content))).toEqual(
      new Set(['Echo: burst']),
    );
    expect(t.mock.requests({ key: k })).toHaveLength(1);
  });

  it('aborts the upstream call when the client disconnects mid-stream', async () => {
    const k = key();
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      {
        model: 'openai/gpt-4o-mini',
        stream: true,
        messages: [
          {
            role: 'user',
            content: `one two three four ${mockDirective({ key: k, stall_after: 2 })}`,
          },
        ],
      },
      { signal: controller.signal },
    );
    let got = 0;
    try {
      for await (const _chunk of stream) {
        if (++got === 2) controller.abort();
      }
    } catch {
      // the SDK may end the iteration with an abort error; either way the client is gone
    }
    expect(got).toBeGreaterThanOrEqual(2);
    const aborted = await t.mock.waitFor((r) => r.key === k && r.aborted === true);
    expect(aborted.key).toBe(k);
  });

  it('lists models in OpenAI shape', async () => {
    const page = await client.models.list();
    const ids = page.data.map((m) => m.id);
    expect(ids).toEqual(
      expect.arrayContaining(['openai/gpt-4o-mini', 'anthropic/claude-sonnet-4-6']),
    );
    expect(page.data[0]).toMatchObject({ object: 'model' });
  });
});
