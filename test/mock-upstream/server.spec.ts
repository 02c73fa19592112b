/**
 * Drives the mock upstream with the official SDKs (`openai` 6.x, `@anthropic-ai/sdk` 1.x) and
 * asserts they parse everything it sends: bodies, SSE streams, tool calls, usage, errors, retries.
 */
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { mockDirective, startMockUpstream, type MockUpstream } from './server';

let mock: MockUpstream;
let seq = 0;
const uniqueKey = (name: string): string => `${name}-${++seq}-${Date.now()}`;

const openai = (opts: { baseURL?: string; maxRetries?: number; timeout?: number } = {}): OpenAI =>
  new OpenAI({
    apiKey: 'sk-test',
    baseURL: opts.baseURL ?? `${mock.url}/v1`,
    maxRetries: opts.maxRetries ?? 0,
    timeout: opts.timeout,
    logLevel: 'off', // the malformed-data cases would otherwise log the unparseable chunk
  });

const anthropic = (opts: { maxRetries?: number; timeout?: number } = {}): Anthropic =>
  new Anthropic({
    apiKey: 'sk-ant-test',
    baseURL: mock.url,
    maxRetries: opts.maxRetries ?? 0,
    timeout: opts.timeout,
    logLevel: 'off', // the malformed-data cases would otherwise log the unparseable chunk
  });

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the promise to reject');
}

/** Raw SSE parse: [{ event, data }] (data JSON-parsed when possible). */
function parseSse(text: string): { event: string | null; data: unknown }[] {
  return text
    .split('\n\n')
    .filter((b) => b.trim() !== '')
    .map((block) => {
      let event: string | null = null;
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      let parsed: unknown = data;
      try {
        parsed = JSON.parse(data);
      } catch {
        // keep the raw string ([DONE], garbage)
      }
      return { event, data: parsed };
    });
}

beforeAll(async () => {
  mock = await startMockUpstream();
});

afterAll(async () => {
  await mock.close();
});

// -----------------------------------------------------------------------------------------------
describe('OpenAI chat completions', () => {
  it('answers a plain completion the SDK parses, with headers and deterministic usage', async () => {
    const { data, request_id, response } = await openai()
      .chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hello there' },
        ],
      })
      .withResponse();
    expect(data.id).toMatch(/^chatcmpl-/);
    expect(data.object).toBe('chat.completion');
    expect(data.model).toBe('gpt-4o-mini');
    expect(typeof data.created).toBe('number');
    expect(data.system_fingerprint).toEqual(expect.any(String));
    const choice = data.choices[0];
    expect(choice.message).toMatchObject({
      role: 'assistant',
      content: 'Echo: Hello there',
      refusal: null,
    });
    expect(choice.message.tool_calls).toBeUndefined();
    expect(choice.finish_reason).toBe('stop');
    expect(choice.logprobs).toBeNull();
    // input: "Be brief." (9) + "Hello there" (11) = 20 chars -> 5 tokens; output 17 chars -> 5
    expect(data.usage).toEqual({
      prompt_tokens: 5,
      completion_tokens: 5,
      total_tokens: 10,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    });
    expect(request_id).toMatch(/^req_/);
    expect(response.headers.get('content-type')).toBe('application/json');
  });

  it('streams word-by-word deltas the SDK assembles, with no usage chunk by default', async () => {
    const stream = await openai().chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'one two three' }],
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '', refusal: null });
    const deltas = chunks
      .flatMap((c) => c.choices.map((ch) => ch.delta.content ?? ''))
      .filter(Boolean);
    expect(deltas).toEqual(['Echo:', ' one', ' two', ' three']);
    const last = chunks[chunks.length - 1];
    expect(last.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0].id)).toBe(
      true,
    );
    expect(chunks.every((c) => c.usage === undefined)).toBe(true);
  });

  it('splits into `chunks` deltas and sends the usage chunk with include_usage, equal to non-stream usage', async () => {
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
      { role: 'user', content: `${mockDirective({ chunks: 2 })} a somewhat longer question here` },
    ];
    const plain = await openai().chat.completions.create({ model: 'gpt-4o-mini', messages });
    const stream = await openai().chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(plain.choices[0].message.content);
    expect(text).toBe('Echo: a somewhat longer question here');
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBe(2);
    const usageChunk = chunks[chunks.length - 1];
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toEqual(plain.usage);
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it('answers tool calls (non-stream) and then "Tool said" once the tool result comes back', async () => {
    const client = openai();
    const user = `${mockDirective({ tool_call: { name: 'get_weather', arguments: { city: 'Paris', unit: 'c' } } })} Weather?`;
    const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ];
    const first = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      tools,
      messages: [{ role: 'user', content: user }],
    });
    const choice = first.choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    const call = choice.message.tool_calls?.[0];
    if (!call || call.type !== 'function') throw new Error('expected a function tool call');
    expect(call.id).toMatch(/^call_/);
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Paris', unit: 'c' });

    const second = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      tools,
      messages: [
        { role: 'user', content: user },
        choice.message,
        { role: 'tool', tool_call_id: call.id, content: '22 degrees, sunny' },
      ],
    });
    expect(second.choices[0].message.content).toBe('Tool said: 22 degrees, sunny');
    expect(second.choices[0].finish_reason).toBe('stop');
  });

  it('streams several tool calls with argument fragments the SDK stream helper accumulates', async () => {
    const calls = [
      { name: 'get_weather', arguments: { city: 'Paris', days: 3 } },
      { name: 'get_time', arguments: { zone: 'Europe/Paris' } },
    ];
    const raw = await openai().chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: mockDirective({ tool_call: calls }) }],
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const c of raw) chunks.push(c);
    const first = chunks[0].choices[0].delta;
    expect(first.role).toBe('assistant');
    expect(first.tool_calls?.[0]).toMatchObject({
      index: 0,
      id: expect.stringMatching(/^call_/),
      type: 'function',
      function: { name: 'get_weather', arguments: '' },
    });
    const fragments = chunks.filter(
      (c) =>
        c.choices[0]?.delta.tool_calls?.[0]?.id === undefined && c.choices[0]?.delta.tool_calls,
    );
    expect(fragments.length).toBeGreaterThan(2);
    expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('tool_calls');

    const helper = openai().chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: mockDirective({ tool_call: calls }) }],
    });
    const final = await helper.finalChatCompletion();
    const toolCalls = final.choices[0].message.tool_calls ?? [];
    expect(
      toolCalls.map((t) =>
        t.type === 'function' ? [t.function.name, JSON.parse(t.function.arguments)] : null,
      ),
    ).toEqual(calls.map((c) => [c.name, c.arguments]));
    expect(final.choices[0].finish_reason).toBe('tool_calls');
  });

  it.each([
    [400, OpenAI.BadRequestError, 'invalid_request_error'],
    [401, OpenAI.AuthenticationError, 'invalid_request_error'],
    [403, OpenAI.PermissionDeniedError, 'invalid_request_error'],
    [404, OpenAI.NotFoundError, 'invalid_request_error'],
    [422, OpenAI.UnprocessableEntityError, 'invalid_request_error'],
    [429, OpenAI.RateLimitError, 'requests'],
    [500, OpenAI.InternalServerError, 'server_error'],
    [503, OpenAI.InternalServerError, 'server_error'],
  ])(
    'surfaces status %i as the SDK error class with the OpenAI error body',
    async (status, cls, type) => {
      const err = await rejection(
        openai().chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: `${mockDirective({ status })} hi` }],
        }),
      );
      expect(err).toBeInstanceOf(cls);
      const e = err as InstanceType<typeof OpenAI.APIError>;
      expect(e.status).toBe(status);
      expect(e.type).toBe(type);
      expect(e.error).toMatchObject({ message: `mock error ${status}`, type, param: null });
      expect(e.requestID).toMatch(/^req_/);
    },
  );

  it('takes directives from x-mock-* headers too, and sends retry-after', async () => {
    const err = await rejection(
      openai().chat.completions.create(
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
        { headers: { 'x-mock-status': '429', 'x-mock-retry-after': '7' } },
      ),
    );
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.headers?.get('retry-after')).toBe('7');
    expect(e.code).toBe('rate_limit_exceeded');
  });

  it('fails the first N requests of a key, then succeeds, through the SDK own retries', async () => {
    const key = uniqueKey('oa-retry');
    const res = await openai({ maxRetries: 3 }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        {
          role: 'user',
          content: `${mockDirective({ key, fail_first: 2, status: 503, retry_after: 0 })} hi`,
        },
      ],
    });
    expect(res.choices[0].message.content).toBe('Echo: hi');
    expect(mock.requests({ key }).map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('answers malformed JSON with 200 application/json (non-stream) and a garbage data line (stream)', async () => {
    const client = openai();
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
      { role: 'user', content: `${mockDirective({ malformed: true })} hi there` },
    ];
    const err = await rejection(client.chat.completions.create({ model: 'gpt-4o-mini', messages }));
    expect(err).toMatchObject({ name: 'SyntaxError' });

    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
    });
    const got: string[] = [];
    const streamErr = await rejection(
      (async () => {
        for await (const c of stream) got.push(c.choices[0]?.delta.content ?? '');
      })(),
    );
    expect(streamErr).toMatchObject({ name: 'SyntaxError' });
    expect(got.join('')).toBe('Echo:');
  });

  it('reports a mid-stream error event as an SDK APIError', async () => {
    const stream = await openai().chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: `${mockDirective({ stream_error: true })} a b c` }],
    });
    const err = await rejection(
      (async () => {
        for await (const c of stream) void c;
      })(),
    );
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).type).toBe('server_error');
  });

  it('stalls a stream after N chunks and records the client abort', async () => {
    const key = uniqueKey('oa-stall');
    const stream = await openai().chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [
        { role: 'user', content: `${mockDirective({ key, stall_after: 2 })} w1 w2 w3 w4` },
      ],
    });
    const got: string[] = [];
    for await (const c of stream) {
      const t = c.choices[0]?.delta.content;
      if (t) got.push(t);
      if (got.length === 2) break; // breaking out of the loop aborts the request
    }
    expect(got).toEqual(['Echo:', ' w1']);
    const rec = await mock.waitFor((r) => r.key === key && r.aborted === true);
    expect(rec.status).toBe(200);
  });

  it('delays before the headers (client timeout -> connection error, abort recorded)', async () => {
    const key = uniqueKey('oa-delay');
    const err = await rejection(
      openai({ timeout: 150 }).chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: `${mockDirective({ key, delay_ms: 5000 })} hi` }],
      }),
    );
    // Outside Jest this is APIConnectionTimeoutError; inside Jest's VM realm the SDK does not
    // recognise undici's AbortError (cross-realm DOMException) and reports the parent class.
    expect(err).toBeInstanceOf(OpenAI.APIConnectionError);
    const rec = await mock.waitFor((r) => r.key === key && r.aborted === true);
    expect(rec.status).toBeUndefined();
  });

  it('honours content, stop and max_tokens (finish_reason length)', async () => {
    const client = openai();
    const fixed = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: mockDirective({ content: 'Exactly this. And more.' }) }],
      stop: ['. And'],
    });
    expect(fixed.choices[0].message.content).toBe('Exactly this');
    expect(fixed.choices[0].finish_reason).toBe('stop');

    const cut = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      max_completion_tokens: 2,
      messages: [{ role: 'user', content: 'a long sentence that will not fit' }],
    });
    expect(cut.choices[0].message.content).toBe('Echo: a ');
    expect(cut.choices[0].finish_reason).toBe('length');
    expect(cut.usage?.completion_tokens).toBe(2);
  });

  it.each(['/v1', '/openai/v1', '/api/v1', '/v1beta/openai'])(
    'serves the OpenAI-compatible base path %s',
    async (base) => {
      const res = await openai({ baseURL: `${mock.url}${base}` }).chat.completions.create({
        model: 'some/model',
        messages: [{ role: 'user', content: 'ping' }],
      });
      expect(res.choices[0].message.content).toBe('Echo: ping');
      const models = await openai({ baseURL: `${mock.url}${base}` }).models.list();
      expect(models.data.length).toBeGreaterThan(0);
      expect(models.data[0]).toMatchObject({
        object: 'model',
        id: expect.any(String),
        owned_by: expect.any(String),
      });
    },
  );

  it('rejects requests without an API key or with an invalid body, and unknown routes, in the OpenAI shape', async () => {
    const noKey = await fetch(`${mock.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(noKey.status).toBe(401);
    expect(noKey.headers.get('x-request-id')).toMatch(/^req_/);

    const noMessages = await rejection(
      openai().chat.completions.create({
        model: 'm',
      } as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming),
    );
    expect(noMessages).toBeInstanceOf(OpenAI.BadRequestError);
    expect((noMessages as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('messages');

    const unknown = await fetch(`${mock.url}/v1/nope`, { headers: { authorization: 'Bearer x' } });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      error: {
        message: 'Invalid URL (GET /v1/nope)',
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
  });

  it('honours n: distinct choices (JSON), interleaved chunks with their index and one usage chunk (SSE)', async () => {
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'pick one' },
    ];
    const plain = await openai().chat.completions.create({ model: 'gpt-4o-mini', messages, n: 3 });
    expect(plain.choices.map((c) => [c.index, c.message.content, c.finish_reason])).toEqual([
      [0, 'Echo: pick one [choice 0]', 'stop'],
      [1, 'Echo: pick one [choice 1]', 'stop'],
      [2, 'Echo: pick one [choice 2]', 'stop'],
    ]);
    // OpenAI's usage: the prompt once, the completion tokens of every choice.
    const single = await openai().chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(plain.usage?.prompt_tokens).toBe(single.usage?.prompt_tokens);
    expect(plain.usage?.completion_tokens).toBe(
      3 * Math.ceil('Echo: pick one [choice 0]'.length / 4),
    );

    const stream = await openai().chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      n: 2,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    const text = (i: number) =>
      chunks
        .flatMap((c) => c.choices)
        .filter((c) => c.index === i)
        .map((c) => c.delta.content ?? '')
        .join('');
    expect(text(0)).toBe('Echo: pick one [choice 0]');
    expect(text(1)).toBe('Echo: pick one [choice 1]');
    // The choices interleave: choice 1's role chunk comes before choice 0's first content.
    expect(chunks[0].choices[0].index).toBe(0);
    expect(chunks[1].choices[0].index).toBe(1);
    const finishes = chunks.flatMap((c) => c.choices).filter((c) => c.finish_reason);
    expect(finishes.map((c) => [c.index, c.finish_reason])).toEqual([
      [0, 'stop'],
      [1, 'stop'],
    ]);
    expect(chunks.filter((c) => c.usage)).toHaveLength(1);
    expect(chunks[chunks.length - 1].usage?.completion_tokens).toBe(
      2 * Math.ceil('Echo: pick one [choice 0]'.length / 4),
    );

    const tooMany = await rejection(
      openai().chat.completions.create({ model: 'gpt-4o-mini', messages, n: 129 }),
    );
    expect(tooMany).toMatchObject({ status: 400, param: 'n' });
  });

  it('keeps concurrent requests independent', async () => {
    const client = openai();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        client.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [
            {
              role: 'user',
              content: i % 2 ? `${mockDirective({ content: `fixed ${i}` })}` : `n${i}`,
            },
          ],
        }),
      ),
    );
    results.forEach((r, i) =>
      expect(r.choices[0].message.content).toBe(i % 2 ? `fixed ${i}` : `Echo: n${i}`),
    );
  });
});

// -----------------------------------------------------------------------------------------------
describe('Anthropic messages', () => {
  it('answers a plain message the SDK parses, with request-id and usage', async () => {
    const { data, request_id } = await anthropic()
      .messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 256,
        system: 'Be brief.',
        messages: [{ role: 'user', content: 'Hello there' }],
      })
      .withResponse();
    expect(data).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-6',
      content: [{ type: 'text', text: 'Echo: Hello there' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: 5,
        output_tokens: 5,
        cache_read_input_tokens: 0,
        cache_creation_input_tokens: 0,
      },
    });
    expect(data.id).toMatch(/^msg_/);
    expect(request_id).toMatch(/^req_/);
  });

  it('streams the exact documented event sequence with event/data framing', async () => {
    const res = await fetch(`${mock.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'x-api-key': 'k',
        'anthropic-version': '2023-06-01',
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        model: 'claude-x',
        max_tokens: 50,
        stream: true,
        messages: [{ role: 'user', content: 'hi you' }],
      }),
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    const text = await res.text();
    const events = parseSse(text);
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    for (const e of events) expect((e.data as { type: string }).type).toBe(e.event);
    expect(text.startsWith('event: message_start\ndata: {')).toBe(true);
    expect(events[7].data).toMatchObject({
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 3 }, // "Echo: hi you" = 12 chars
    });
  });

  it('streams text deltas the SDK MessageStream assembles into the non-stream message', async () => {
    const client = anthropic();
    const params = {
      model: 'claude-sonnet-4-6',
      max_tokens: 100,
      messages: [
        { role: 'user' as const, content: `${mockDirective({ chunks: 3 })} stream me please` },
      ],
    };
    const plain = await client.messages.create(params);
    const stream = client.messages.stream(params);
    const deltas: string[] = [];
    stream.on('text', (t) => deltas.push(t));
    const final = await stream.finalMessage();
    expect(deltas).toHaveLength(3);
    expect(deltas.join('')).toBe('Echo: stream me please');
    expect(final.content).toEqual(plain.content);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage.input_tokens).toBe(plain.usage.input_tokens);
    expect(final.usage.output_tokens).toBe(plain.usage.output_tokens);
  });

  it('answers tool_use blocks (non-stream and streamed input_json_delta), then "Tool said"', async () => {
    const client = anthropic();
    const user = `${mockDirective({ tool_call: { name: 'get_weather', arguments: { city: 'Paris', days: 2 } } })} Weather?`;
    const tools: Anthropic.Tool[] = [
      {
        name: 'get_weather',
        description: 'weather',
        input_schema: { type: 'object', properties: { city: { type: 'string' } } },
      },
    ];
    const first = await client.messages.create({
      model: 'claude-x',
      max_tokens: 200,
      tools,
      messages: [{ role: 'user', content: user }],
    });
    expect(first.stop_reason).toBe('tool_use');
    const block = first.content[0];
    if (block.type !== 'tool_use') throw new Error('expected tool_use');
    expect(block.id).toMatch(/^toolu_/);
    expect(block.name).toBe('get_weather');
    expect(block.input).toEqual({ city: 'Paris', days: 2 });

    const raw = await client.messages.create({
      model: 'claude-x',
      max_tokens: 200,
      tools,
      stream: true,
      messages: [{ role: 'user', content: user }],
    });
    const partials: string[] = [];
    for await (const ev of raw) {
      if (ev.type === 'content_block_delta' && ev.delta.type === 'input_json_delta')
        partials.push(ev.delta.partial_json);
    }
    expect(partials.length).toBeGreaterThan(1);
    expect(JSON.parse(partials.join(''))).toEqual({ city: 'Paris', days: 2 });

    const streamed = await client.messages
      .stream({
        model: 'claude-x',
        max_tokens: 200,
        tools,
        messages: [{ role: 'user', content: user }],
      })
      .finalMessage();
    expect(streamed.stop_reason).toBe('tool_use');
    expect(streamed.content[0]).toMatchObject({
      type: 'tool_use',
      name: 'get_weather',
      input: { city: 'Paris', days: 2 },
    });

    const second = await client.messages.create({
      model: 'claude-x',
      max_tokens: 200,
      tools,
      messages: [
        { role: 'user', content: user },
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: block.id, content: '18 degrees' }],
        },
      ],
    });
    expect(second.content).toEqual([{ type: 'text', text: 'Tool said: 18 degrees' }]);
    expect(second.stop_reason).toBe('end_turn');
  });

  it('requires max_tokens and rejects a system role inside messages (400 invalid_request_error)', async () => {
    const client = anthropic();
    const noMax = await rejection(
      client.messages.create({
        model: 'claude-x',
        messages: [{ role: 'user', content: 'x' }],
      } as unknown as Anthropic.MessageCreateParamsNonStreaming),
    );
    expect(noMax).toBeInstanceOf(Anthropic.BadRequestError);
    const e = noMax as InstanceType<typeof Anthropic.BadRequestError>;
    expect(e.status).toBe(400);
    expect(e.error).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'max_tokens: Field required' },
    });
    expect(e.type).toBe('invalid_request_error');

    const sys = await rejection(
      client.messages.create({
        model: 'claude-x',
        max_tokens: 10,
        messages: [
          { role: 'system', content: 'You are a bot' },
          { role: 'user', content: 'x' },
        ],
      }),
    );
    expect(sys).toBeInstanceOf(Anthropic.BadRequestError);
    expect((sys as InstanceType<typeof Anthropic.BadRequestError>).message).toContain('system');
  });

  it('rejects temperature under anthropic-version 2026-10-21 (the SDK default) but not under 2023-06-01', async () => {
    const client = anthropic();
    const body = {
      model: 'claude-x',
      max_tokens: 10,
      temperature: 0.2,
      messages: [{ role: 'user', content: 'x' }],
    } as unknown as Anthropic.MessageCreateParamsNonStreaming;
    const err = await rejection(client.messages.create(body));
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    const old = await client.messages.create(body, {
      headers: { 'anthropic-version': '2023-06-01' },
    });
    expect(old.content).toEqual([{ type: 'text', text: 'Echo: x' }]);
  });

  it.each([
    [400, Anthropic.BadRequestError, 'invalid_request_error'],
    [401, Anthropic.AuthenticationError, 'authentication_error'],
    [403, Anthropic.PermissionDeniedError, 'permission_error'],
    [404, Anthropic.NotFoundError, 'not_found_error'],
    [429, Anthropic.RateLimitError, 'rate_limit_error'],
    [500, Anthropic.InternalServerError, 'api_error'],
    [529, Anthropic.InternalServerError, 'overloaded_error'],
  ])(
    'surfaces status %i as the SDK error class with the Anthropic error body',
    async (status, cls, type) => {
      const err = await rejection(
        anthropic().messages.create({
          model: 'claude-x',
          max_tokens: 10,
          messages: [{ role: 'user', content: `${mockDirective({ status, retry_after: 3 })} hi` }],
        }),
      );
      expect(err).toBeInstanceOf(cls);
      const e = err as InstanceType<typeof Anthropic.APIError>;
      expect(e.status).toBe(status);
      expect(e.type).toBe(type);
      expect(e.error).toMatchObject({
        type: 'error',
        error: { type },
        request_id: expect.stringMatching(/^req_/),
      });
      expect(e.requestID).toMatch(/^req_/);
      expect(e.headers?.get('retry-after')).toBe('3');
    },
  );

  it('fails the first N requests of a key, then succeeds, through the SDK own retries', async () => {
    const key = uniqueKey('an-retry');
    const res = await anthropic({ maxRetries: 2 }).messages.create({
      model: 'claude-x',
      max_tokens: 10,
      messages: [
        {
          role: 'user',
          content: `${mockDirective({ key, fail_first: 2, status: 529, retry_after_ms: 1 })} hi`,
        },
      ],
    });
    expect(res.content).toEqual([{ type: 'text', text: 'Echo: hi' }]);
    expect(mock.requests({ key }).map((r) => r.status)).toEqual([529, 529, 200]);
    expect(mock.requests({ key, path: '/v1/messages' })).toHaveLength(3);
  });

  it('answers malformed JSON (non-stream) and a garbage event (stream) the SDK fails on', async () => {
    const client = anthropic();
    const params = {
      model: 'claude-x',
      max_tokens: 50,
      messages: [{ role: 'user' as const, content: `${mockDirective({ malformed: true })} a b` }],
    };
    expect(await rejection(client.messages.create(params))).toMatchObject({ name: 'SyntaxError' });
    const stream = await client.messages.create({ ...params, stream: true });
    const err = await rejection(
      (async () => {
        for await (const ev of stream) void ev;
      })(),
    );
    expect(err).toMatchObject({ name: 'SyntaxError' });
  });

  it('sends a mid-stream error event the SDK raises as overloaded_error', async () => {
    const stream = await anthropic().messages.create({
      model: 'claude-x',
      max_tokens: 50,
      stream: true,
      messages: [{ role: 'user', content: `${mockDirective({ stream_error: true })} a b c` }],
    });
    const err = await rejection(
      (async () => {
        for await (const ev of stream) void ev;
      })(),
    );
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as InstanceType<typeof Anthropic.APIError>).type).toBe('overloaded_error');
  });

  it('stalls a stream after N chunks and records the client abort', async () => {
    const key = uniqueKey('an-stall');
    const stream = anthropic().messages.stream({
      model: 'claude-x',
      max_tokens: 50,
      messages: [{ role: 'user', content: `${mockDirective({ key, stall_after: 1 })} w1 w2 w3` }],
    });
    const got: string[] = [];
    await new Promise<void>((resolve) => {
      stream.on('text', (t) => {
        got.push(t);
        stream.abort();
        resolve();
      });
    });
    await stream.done().catch(() => undefined);
    expect(got).toEqual(['Echo:']);
    const rec = await mock.waitFor((r) => r.key === key && r.aborted === true);
    expect(rec.path).toBe('/v1/messages');
  });

  it('honours stop_sequences and max_tokens', async () => {
    const client = anthropic();
    const stopped = await client.messages.create({
      model: 'claude-x',
      max_tokens: 100,
      stop_sequences: ['STOP'],
      messages: [{ role: 'user', content: `${mockDirective({ content: 'before STOP after' })}` }],
    });
    expect(stopped).toMatchObject({
      content: [{ type: 'text', text: 'before ' }],
      stop_reason: 'stop_sequence',
      stop_sequence: 'STOP',
    });
    const cut = await client.messages.create({
      model: 'claude-x',
      max_tokens: 1,
      messages: [{ role: 'user', content: 'long enough text' }],
    });
    expect(cut).toMatchObject({
      content: [{ type: 'text', text: 'Echo' }],
      stop_reason: 'max_tokens',
      usage: { output_tokens: 1 },
    });
  });

  it('counts tokens like the usage it reports', async () => {
    const client = anthropic();
    const params = {
      model: 'claude-sonnet-4-6',
      system: 'Be brief.',
      messages: [{ role: 'user' as const, content: 'count these words' }],
    };
    const counted = await client.messages.countTokens(params);
    const answered = await client.messages.create({ ...params, max_tokens: 50 });
    expect(counted.input_tokens).toBe(answered.usage.input_tokens);
  });

  it('lists models in the Anthropic shape when anthropic-version is sent', async () => {
    const page = await anthropic().models.list();
    expect(page.data.length).toBeGreaterThan(0);
    expect(page.data[0]).toMatchObject({ type: 'model', id: expect.stringMatching(/^claude-/) });
  });
});

// -----------------------------------------------------------------------------------------------
describe('control surface', () => {
  it('records requests (with key, headers, body) and exposes them over HTTP; DELETE clears by key', async () => {
    const key = uniqueKey('ctl');
    await openai().chat.completions.create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'recorded' }] },
      { headers: { 'x-mock-key': key } },
    );
    const [rec] = mock.requests({ key });
    expect(rec).toMatchObject({ method: 'POST', path: '/v1/chat/completions', key, status: 200 });
    expect(rec.headers.authorization).toBe('Bearer sk-test');
    expect(rec.body).toMatchObject({ model: 'gpt-4o-mini' });

    const over = await fetch(`${mock.url}/__mock/requests?key=${encodeURIComponent(key)}`);
    expect(((await over.json()) as unknown[]).length).toBe(1);
    const health = await fetch(`${mock.url}/__mock/health`);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const del = await fetch(`${mock.url}/__mock/requests?key=${encodeURIComponent(key)}`, {
      method: 'DELETE',
    });
    expect(await del.json()).toEqual({ cleared: 1 });
    expect(mock.requests({ key })).toEqual([]);
  });

  it('fails one API key on demand (429 with Retry-After, 401), records which key was used, restores it', async () => {
    const bad = uniqueKey('sk-bad');
    const good = uniqueKey('sk-good');
    const client = (apiKey: string) =>
      new OpenAI({ apiKey, baseURL: `${mock.url}/v1`, maxRetries: 0, logLevel: 'off' });
    const ask = (apiKey: string) =>
      client(apiKey).chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
      });
    mock.failCredential(bad, { status: 429, retry_after: 2 });
    const limited = await rejection(ask(bad));
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect((limited as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe(
      '2',
    );
    expect((await ask(good)).choices[0].message.content).toBe('Echo: hi');
    expect(mock.requests({ credential: bad }).map((r) => r.status)).toEqual([429]);
    expect(mock.requests({ credential: good }).map((r) => r.status)).toEqual([200]);

    // The same over HTTP, and for Anthropic's x-api-key.
    const put = await fetch(`${mock.url}/__mock/credential-failures`, {
      method: 'PUT',
      body: JSON.stringify({ credential: bad, status: 401 }),
    });
    expect(put.status).toBe(200);
    const denied = await rejection(
      new Anthropic({ apiKey: bad, baseURL: mock.url, maxRetries: 0 }).messages.create({
        model: 'claude-sonnet-4-5',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(denied).toBeInstanceOf(Anthropic.AuthenticationError);
    const badBody = await fetch(`${mock.url}/__mock/credential-failures`, {
      method: 'PUT',
      body: JSON.stringify({ credential: bad, status: 200 }),
    });
    expect(badBody.status).toBe(400);

    await fetch(`${mock.url}/__mock/credential-failures?credential=${encodeURIComponent(bad)}`, {
      method: 'DELETE',
    });
    expect((await ask(bad)).choices[0].message.content).toBe('Echo: hi');
    mock.failCredential(bad, { status: 500 });
    expect(await rejection(ask(bad))).toBeInstanceOf(OpenAI.InternalServerError);
    mock.restoreCredential(bad);
    expect((await ask(bad)).choices[0].message.content).toBe('Echo: hi');
  });

  it('rejects an invalid directive with a 400 naming it', async () => {
    const err = await rejection(
      openai().chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: '#mock{"stauts":500} x' }],
      }),
    );
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as Error).message).toContain('unknown directive "stauts"');
  });

  it('serves without recording when record is false', async () => {
    const quiet = await startMockUpstream({ record: false });
    try {
      const client = new OpenAI({ apiKey: 'k', baseURL: `${quiet.url}/v1`, maxRetries: 0 });
      const res = await client.chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: 'x' }],
      });
      expect(res.choices[0].message.content).toBe('Echo: x');
      expect(quiet.requests()).toEqual([]);
    } finally {
      await quiet.close();
    }
  });
});
