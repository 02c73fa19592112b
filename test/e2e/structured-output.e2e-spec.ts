import Anthropic from '@anthropic-ai/sdk';
import { zodOutputFormat } from '@anthropic-ai/sdk/helpers/zod';
import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { mockDirective } from '../mock-upstream/server';
import { startGatewayWithMock, type GatewayWithMock } from '../support/gateway-with-mock';
import { signToken } from '../support/test-app';

/**
 * Structured output through POST /v1/chat/completions, driven by the official openai SDK's
 * `parse()` and `stream()` helpers: `response_format` json_schema / json_object is answered as
 * the assistant's content (finish_reason 'stop') on every service, natively where the catalog
 * says the model has it (OpenAI json_schema, Anthropic output_config.format), through a forced
 * tool otherwise (Anthropic json_object, Groq's Llama models).
 */
describe('Structured output on /v1/chat/completions (openai SDK parse/stream)', () => {
  let t: GatewayWithMock;
  let client: OpenAI;
  let n = 0;
  const key = () => `so${process.pid}-${++n}`;
  const ask = (k: string) => [
    { role: 'user' as const, content: `Describe a place ${mockDirective({ key: k })}` },
  ];
  const sentBody = (k: string) => {
    const recorded = t.mock.requests({ key: k });
    expect(recorded).toHaveLength(1);
    return recorded[0].body as Record<string, unknown>;
  };

  /** The schema every test asks for, and the minimal instance the mock answers with. */
  const Place = z.object({
    city: z.string(),
    population: z.number().int().min(1),
    tags: z.array(z.string()).min(1),
    kind: z.enum(['town', 'city']),
  });
  const PLACE = { city: 'mock', population: 1, tags: ['mock'], kind: 'town' };
  const placeFormat = () => zodResponseFormat(Place, 'place');

  beforeAll(async () => {
    t = await startGatewayWithMock();
    client = t.client();
  });
  afterAll(async () => {
    await t.close();
  });

  it('passes json_schema natively to openai/gpt-4o-mini; parse() yields the parsed object', async () => {
    const k = key();
    const res = await client.chat.completions.parse({
      model: 'openai/gpt-4o-mini',
      messages: ask(k),
      response_format: placeFormat(),
    });
    const choice = res.choices[0];
    expect(choice.finish_reason).toBe('stop');
    expect(choice.message.parsed).toEqual(PLACE);
    expect(Place.parse(choice.message.parsed)).toEqual(PLACE);
    const body = sentBody(k);
    expect(body.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'place', strict: true },
    });
    expect(body.tools).toBeUndefined();
  });

  it('sends output_config.format to anthropic/claude-sonnet-4-6; parse() yields the object', async () => {
    const k = key();
    const res = await client.chat.completions.parse({
      model: 'anthropic/claude-sonnet-4-6',
      messages: ask(k),
      response_format: placeFormat(),
    });
    expect(res.choices[0].finish_reason).toBe('stop');
    expect(res.choices[0].message.tool_calls ?? []).toEqual([]);
    expect(res.choices[0].message.parsed).toEqual(PLACE);
    const body = sentBody(k);
    expect(body.output_config).toEqual({
      format: { type: 'json_schema', schema: placeFormat().json_schema.schema },
    });
    expect(body.tools).toBeUndefined();
  });

  it('streams the Anthropic native answer; the stream() helper assembles the parsed object', async () => {
    const k = key();
    const stream = client.chat.completions.stream({
      model: 'anthropic/claude-sonnet-4-6',
      messages: ask(k),
      response_format: placeFormat(),
    });
    let deltas = 0;
    stream.on('content.delta', () => deltas++);
    const final = await stream.finalChatCompletion();
    expect(deltas).toBeGreaterThan(0);
    expect(final.choices[0].finish_reason).toBe('stop');
    expect(final.choices[0].message.parsed).toEqual(PLACE);
  });

  it('answers json_object on an Anthropic model through a forced tool, as content', async () => {
    const k = key();
    const res = await client.chat.completions.create({
      model: 'anthropic/claude-haiku-4-5',
      messages: ask(k),
      response_format: { type: 'json_object' },
    });
    const choice = res.choices[0];
    expect(choice.finish_reason).toBe('stop');
    expect(choice.message.tool_calls ?? []).toEqual([]);
    expect(JSON.parse(choice.message.content ?? '')).toEqual({});
    const body = sentBody(k);
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'json_output' });
    expect(body.tools).toEqual([
      expect.objectContaining({
        name: 'json_output',
        input_schema: { type: 'object', additionalProperties: true },
      }),
    ]);
    expect(body.output_config).toBeUndefined();
    expect(body.system).toBeUndefined();
  });

  it('turns the forced tool_use stream (input_json_delta) into content deltas', async () => {
    const k = key();
    const stream = await client.chat.completions.create({
      model: 'anthropic/claude-haiku-4-5',
      messages: ask(k),
      response_format: { type: 'json_object' },
      stream: true,
    });
    let content = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      const c = chunk.choices[0];
      if (!c) continue;
      expect(c.delta.tool_calls).toBeUndefined();
      content += c.delta.content ?? '';
      finish = c.finish_reason ?? finish;
    }
    expect(JSON.parse(content)).toEqual({});
    expect(finish).toBe('stop');
  });

  it('uses a forced function tool for groq/llama-3.3-70b-versatile (no native json_schema)', async () => {
    const k = key();
    const res = await client.chat.completions.parse({
      model: 'groq/llama-3.3-70b-versatile',
      messages: ask(k),
      response_format: placeFormat(),
    });
    expect(res.choices[0].finish_reason).toBe('stop');
    expect(res.choices[0].message.tool_calls ?? []).toEqual([]);
    expect(res.choices[0].message.parsed).toEqual(PLACE);
    const body = sentBody(k);
    expect(body.response_format).toBeUndefined();
    expect(body.tool_choice).toEqual({ type: 'function', function: { name: 'place' } });
    expect(body.tools).toEqual([
      expect.objectContaining({
        type: 'function',
        function: expect.objectContaining({
          name: 'place',
          parameters: placeFormat().json_schema.schema,
          strict: true,
        }),
      }),
    ]);
  });

  it('streams the forced function tool as content; stream() parses it', async () => {
    const k = key();
    const stream = client.chat.completions.stream({
      model: 'groq/llama-3.3-70b-versatile',
      messages: ask(k),
      response_format: placeFormat(),
    });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0].finish_reason).toBe('stop');
    expect(final.choices[0].message.tool_calls ?? []).toEqual([]);
    expect(final.choices[0].message.parsed).toEqual(PLACE);
  });

  it('applies to agents run through /v1/chat/completions (model agent/<id>)', async () => {
    const res = await fetch(`${t.gw.url}/api/v1/agents`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${signToken({ scopes: ['admin'] })}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        name: `structured-${key()}`,
        service: 'anthropic',
        model: 'claude-haiku-4-5',
        prompt: 'You describe places.',
      }),
    });
    expect(res.status).toBe(201);
    const agent = ((await res.json()) as { data: { id: string } }).data;
    const k = key();
    const parsed = await client.chat.completions.parse({
      model: `agent/${agent.id}`,
      messages: ask(k),
      response_format: placeFormat(),
    });
    expect(parsed.choices[0].finish_reason).toBe('stop');
    expect(parsed.choices[0].message.parsed).toEqual(PLACE);
    const body = sentBody(k);
    expect(body.system).toBe('You describe places.');
    expect(body.output_config).toMatchObject({ format: { type: 'json_schema' } });
  });

  describe('output_config.format on /v1/messages (@anthropic-ai/sdk parse)', () => {
    let anthropic: Anthropic;
    // The SDK's zodOutputFormat moves numeric bounds (unsupported by Anthropic's structured
    // outputs) into descriptions, so the mock's minimal instance could not honour them: none here.
    const Reply = z.object({
      city: z.string(),
      kind: z.enum(['town', 'city']),
      tags: z.array(z.string()),
    });
    const REPLY = { city: 'mock', kind: 'town', tags: [] };
    beforeAll(() => {
      anthropic = new Anthropic({ baseURL: t.gw.url, apiKey: signToken(), maxRetries: 0 });
    });

    it.each([
      ['anthropic/claude-sonnet-4-6', 'output_config'],
      ['openai/gpt-4o-mini', 'response_format'],
      ['groq/llama-3.3-70b-versatile', 'tools'],
    ])('answers %s with JSON text; parse() yields parsed_output', async (model, upstreamField) => {
      const k = key();
      const msg = await anthropic.messages.parse({
        model,
        max_tokens: 512,
        messages: ask(k),
        output_config: { format: zodOutputFormat(Reply) },
      });
      expect(msg.stop_reason).toBe('end_turn');
      expect(msg.content.map((b) => b.type)).toEqual(['text']);
      expect(msg.parsed_output).toEqual(REPLY);
      expect(sentBody(k)[upstreamField]).toBeDefined();
    });

    it('streams the JSON text through the forced tool as text deltas', async () => {
      const k = key();
      const stream = anthropic.messages.stream({
        model: 'groq/llama-3.3-70b-versatile',
        max_tokens: 512,
        messages: ask(k),
        output_config: { format: zodOutputFormat(Reply) },
      });
      const final = await stream.finalMessage();
      expect(final.stop_reason).toBe('end_turn');
      expect(final.content).toHaveLength(1);
      expect(final.content[0].type === 'text' && JSON.parse(final.content[0].text)).toEqual(REPLY);
    });

    it('refuses a format that is not json_schema with a 400 in Anthropic shape', async () => {
      await expect(
        anthropic.messages.create({
          model: 'anthropic/claude-sonnet-4-6',
          max_tokens: 64,
          messages: ask(key()),
          output_config: { format: { type: 'xml' } as never },
        }),
      ).rejects.toMatchObject({ status: 400, error: { type: 'error' } });
    });
  });

  it("keeps the client's own tools callable next to the output tool", async () => {
    const k = key();
    const res = await client.chat.completions.create({
      model: 'anthropic/claude-haiku-4-5',
      messages: ask(k),
      response_format: { type: 'json_object' },
      tools: [
        {
          type: 'function',
          function: { name: 'lookup', parameters: { type: 'object', properties: {} } },
        },
      ],
    });
    const body = sentBody(k);
    expect((body.tools as Array<{ name: string }>).map((x) => x.name)).toEqual([
      'lookup',
      'json_output',
    ]);
    expect(body.tool_choice).toEqual({ type: 'any' });
    // The mock calls the first tool when any is required: the client's, returned as a tool call.
    expect(res.choices[0].finish_reason).toBe('tool_calls');
    expect(res.choices[0].message.tool_calls?.[0]).toMatchObject({
      function: { name: 'lookup' },
    });
  });
});
