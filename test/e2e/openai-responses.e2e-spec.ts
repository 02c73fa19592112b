import OpenAI from 'openai';
import type {
  ResponseFunctionToolCall,
  ResponseInputItem,
  ResponseStreamEvent,
} from 'openai/resources/responses/responses';
import { mockDirective } from '../mock-upstream/server';
import { startGatewayWithMock, type GatewayWithMock } from '../support/gateway-with-mock';
import { signToken } from '../support/test-app';

/** A bare OpenAI id (resolved through the catalog) and a qualified Anthropic one. */
const MODELS = ['gpt-4o-mini', 'anthropic/claude-sonnet-4-6'] as const;

const weatherTool = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};

describe('POST /v1/responses through the official openai SDK', () => {
  let t: GatewayWithMock;
  let client: OpenAI;
  let n = 0;
  /** A key unique to each call, so assertions on recorded upstream requests never collide. */
  const key = () => `rs${process.pid}-${++n}`;

  beforeAll(async () => {
    t = await startGatewayWithMock();
    client = t.client();
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(MODELS)('answers a plain create with a Response object for %s', async (model) => {
    const res = await client.responses.create({ model, input: 'hello there' });
    expect(res).toMatchObject({
      object: 'response',
      status: 'completed',
      model,
      error: null,
      incomplete_details: null,
      store: true,
      tools: [],
      tool_choice: 'auto',
    });
    expect(res.id).toMatch(/^resp_[\w-]+$/);
    // output_text is the SDK's own convenience, computed from the output items.
    expect(res.output_text).toBe('Echo: hello there');
    expect(res.output).toEqual([
      {
        id: expect.stringMatching(/^msg_/),
        type: 'message',
        role: 'assistant',
        status: 'completed',
        content: [
          { type: 'output_text', text: 'Echo: hello there', annotations: [], logprobs: [] },
        ],
      },
    ]);
    expect(res.usage!.input_tokens).toBeGreaterThan(0);
    expect(res.usage!.output_tokens).toBeGreaterThan(0);
    expect(res.usage!.total_tokens).toBe(res.usage!.input_tokens + res.usage!.output_tokens);
    expect(res.usage!.input_tokens_details).toEqual({ cached_tokens: 0 });
    expect(res.usage!.output_tokens_details).toEqual({ reasoning_tokens: 0 });
  });

  it.each(MODELS)('streams %s as numbered events that the SDK assembles', async (model) => {
    const params = { model, input: 'stream me a few words' };
    const plain = await client.responses.create(params);
    const stream = client.responses.stream(params);
    const events: ResponseStreamEvent[] = [];
    stream.on('event', (e) => events.push(e));
    const final = await stream.finalResponse();
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events[0].type).toBe('response.created');
    expect(events[1].type).toBe('response.in_progress');
    expect(events.at(-1)!.type).toBe('response.completed');
    expect(events.filter((e) => e.type === 'response.output_text.delta').length).toBeGreaterThan(1);
    // The stream's final response has no output_text (the SDK adds it to create() answers
    // only) and the SDK's `parsed` fields: compare the assembled message items instead.
    expect(final.output).toMatchObject(
      plain.output.map((item) => ({ ...item, id: expect.stringMatching(/^msg_/) })),
    );
    expect(final.status).toBe('completed');
    expect(final.usage!.output_tokens).toBe(plain.usage!.output_tokens);
  });

  it('takes every documented field, nulls included, without a 400', async () => {
    const k = key();
    const res = await client.responses.create({
      model: 'gpt-4o-mini',
      input: `all fields ${mockDirective({ key: k })}`,
      instructions: null,
      previous_response_id: null,
      conversation: null,
      prompt: null,
      reasoning: { effort: null, summary: null },
      metadata: { team: 'a' },
      temperature: null,
      top_p: null,
      max_output_tokens: null,
      parallel_tool_calls: null,
      store: false,
      background: null,
      truncation: 'disabled',
      service_tier: null,
      include: null,
      tools: [],
      tool_choice: 'auto',
      text: { format: { type: 'text' }, verbosity: null },
      user: 'u-1',
      safety_identifier: 'sid',
      prompt_cache_key: 'pck',
      prompt_cache_retention: null,
      context_management: null,
      stream_options: null,
    });
    expect(res).toMatchObject({ status: 'completed', metadata: { team: 'a' }, store: false });
    // Nothing about tools goes upstream when there are none.
    const body = t.mock.requests({ key: k })[0].body as Record<string, unknown>;
    expect(body).not.toHaveProperty('tool_choice');
    expect(body).not.toHaveProperty('parallel_tool_calls');
  });

  it('sends named SSE events without a [DONE] terminator', async () => {
    const res = await fetch(`${t.gw.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${signToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', input: 'raw stream', stream: true }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const text = await res.text();
    expect(text.startsWith('event: response.created\ndata: {')).toBe(true);
    expect(text).toContain('event: response.completed\n');
    expect(text).not.toContain('[DONE]');
  });

  it.each(MODELS)(
    'round-trips a function tool (function_call -> function_call_output) with %s',
    async (model) => {
      const ask = `weather? ${mockDirective({ tool_call: { name: 'get_weather', arguments: { city: 'Paris' } } })}`;
      const first = await client.responses.create({ model, tools: [weatherTool], input: ask });
      const call = first.output.find(
        (i): i is ResponseFunctionToolCall => i.type === 'function_call',
      );
      expect(call).toMatchObject({
        id: expect.stringMatching(/^fc_/),
        type: 'function_call',
        name: 'get_weather',
        status: 'completed',
      });
      expect(JSON.parse(call!.arguments)).toEqual({ city: 'Paris' });
      const input: ResponseInputItem[] = [
        { role: 'user', content: ask },
        ...(first.output as ResponseInputItem[]),
        { type: 'function_call_output', call_id: call!.call_id, output: '18C and sunny' },
      ];
      const second = await client.responses.create({ model, tools: [weatherTool], input });
      expect(second.output_text).toBe('Tool said: 18C and sunny');
      expect(second.status).toBe('completed');
    },
  );

  it.each(MODELS)('streams a function call as argument deltas for %s', async (model) => {
    const stream = client.responses.stream({
      model,
      tools: [weatherTool],
      input: `go ${mockDirective({ tool_call: { name: 'get_weather', arguments: { city: 'a long city name' } } })}`,
    });
    const types: string[] = [];
    stream.on('event', (e) => types.push(e.type));
    const final = await stream.finalResponse();
    expect(types).toContain('response.function_call_arguments.delta');
    expect(types).toContain('response.function_call_arguments.done');
    const added = types.indexOf('response.output_item.added');
    expect(added).toBeGreaterThan(-1);
    expect(added).toBeLessThan(types.indexOf('response.function_call_arguments.delta'));
    const call = final.output.find((i) => i.type === 'function_call');
    expect(call).toMatchObject({ name: 'get_weather' });
    expect(JSON.parse((call as ResponseFunctionToolCall).arguments)).toEqual({
      city: 'a long city name',
    });
  });

  it.each(MODELS)(
    'answers text.format json_schema with JSON of the schema for %s',
    async (model) => {
      const res = await client.responses.create({
        model,
        input: 'give me a city',
        text: {
          format: {
            type: 'json_schema',
            name: 'city',
            strict: true,
            schema: {
              type: 'object',
              properties: { name: { type: 'string', minLength: 1 } },
              required: ['name'],
              additionalProperties: false,
            },
          },
        },
      });
      expect(res.status).toBe('completed');
      const parsed = JSON.parse(res.output_text) as { name: unknown };
      expect(typeof parsed.name).toBe('string');
      expect(res.text).toMatchObject({ format: { type: 'json_schema', name: 'city' } });
    },
  );

  it('sends instructions as the system message and max_output_tokens as the limit upstream', async () => {
    const k = key();
    const res = await client.responses.create({
      model: 'gpt-4o-mini',
      instructions: 'You are terse.',
      max_output_tokens: 2,
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: `a long enough question ${mockDirective({ key: k })}` },
          ],
        },
      ],
    });
    const body = t.mock.requests({ key: k })[0].body as {
      messages: Array<{ role: string; content: unknown }>;
      max_tokens?: number;
      max_completion_tokens?: number;
    };
    expect(body.messages[0]).toEqual({ role: 'system', content: 'You are terse.' });
    expect(body.max_completion_tokens ?? body.max_tokens).toBe(2);
    // The answer ran out of tokens: an incomplete response, as OpenAI reports it.
    expect(res.status).toBe('incomplete');
    expect(res.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(res.instructions).toBe('You are terse.');
    expect(res.max_output_tokens).toBe(2);
  });

  it('answers an unsupported input item with a 400 in OpenAI shape naming it', async () => {
    const bad = client.responses.create({
      model: 'gpt-4o-mini',
      input: [
        { role: 'user', content: 'hi' },
        { type: 'item_reference', id: 'msg_123' },
      ],
    });
    await expect(bad).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(bad).rejects.toMatchObject({
      status: 400,
      error: {
        type: 'invalid_request_error',
        param: 'input[1].type',
        message: expect.stringContaining('item_reference'),
        request_id: expect.any(String),
      },
    });
  });

  it('answers a hosted tool with a 400 naming tools[0].type', async () => {
    const bad = client.responses.create({
      model: 'gpt-4o-mini',
      input: 'search',
      tools: [{ type: 'web_search' }],
    });
    await expect(bad).rejects.toMatchObject({
      status: 400,
      error: { param: 'tools[0].type', message: expect.stringContaining('not supported') },
    });
  });

  it('ends a stream that fails after it started with response.failed', async () => {
    const stream = await client.responses.create({
      model: 'gpt-4o-mini',
      input: `a few words please ${mockDirective({ stream_error: true, chunks: 3 })}`,
      stream: true,
    });
    const events: ResponseStreamEvent[] = [];
    for await (const e of stream) events.push(e);
    const last = events.at(-1)!;
    expect(last.type).toBe('response.failed');
    expect(last.sequence_number).toBe(events.length - 1);
    const failed = (last as Extract<ResponseStreamEvent, { type: 'response.failed' }>).response;
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'server_error', request_id: expect.any(String) });
    expect(events.some((e) => e.type === 'response.output_text.delta')).toBe(true);
  });

  it('documents the route in Swagger under "responses" with OpenAI-shaped errors', async () => {
    const doc = (await (await fetch(`${t.gw.url}/docs-json`)).json()) as {
      paths: Record<string, { post: { tags: string[]; responses: Record<string, unknown> } }>;
    };
    const op = doc.paths['/v1/responses'].post;
    expect(op.tags).toEqual(['responses']);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '404']));
  });
});
