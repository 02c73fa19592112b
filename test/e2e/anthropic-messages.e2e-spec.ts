import Anthropic from '@anthropic-ai/sdk';
import { mockDirective } from '../mock-upstream/server';
import { startGatewayWithMock, type GatewayWithMock } from '../support/gateway-with-mock';
import { signToken } from '../support/test-app';

/** A bare OpenAI id (resolved through the catalog) and a qualified Anthropic one. */
const MODELS = ['gpt-4o-mini', 'anthropic/claude-sonnet-4-6'] as const;

describe('POST /v1/messages through the official @anthropic-ai/sdk', () => {
  let t: GatewayWithMock;
  let client: Anthropic;
  let n = 0;
  /** A key unique to each call, so assertions on recorded upstream requests never collide. */
  const key = () => `am${process.pid}-${++n}`;

  beforeAll(async () => {
    t = await startGatewayWithMock();
    client = new Anthropic({ baseURL: t.gw.url, apiKey: signToken(), maxRetries: 0 });
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(MODELS)('answers a plain create in Anthropic shape for %s', async (model) => {
    const msg = await client.messages.create({
      model,
      max_tokens: 256,
      messages: [{ role: 'user', content: 'hello there' }],
    });
    expect(msg).toMatchObject({
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text: 'Echo: hello there' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
    });
    expect(msg.id).toMatch(/^msg_/);
    expect(msg.usage.input_tokens).toBeGreaterThan(0);
    expect(msg.usage.output_tokens).toBeGreaterThan(0);
    expect(msg.usage.cache_read_input_tokens).toBe(0);
    expect(msg.usage.cache_creation_input_tokens).toBe(0);
  });

  it.each(MODELS)(
    'streams %s as Anthropic SSE events that finalMessage() assembles',
    async (model) => {
      const params = {
        model,
        max_tokens: 256,
        messages: [{ role: 'user' as const, content: 'stream me a few words' }],
      };
      const plain = await client.messages.create(params);
      const stream = client.messages.stream(params);
      const types: string[] = [];
      const indexes: number[] = [];
      stream.on('streamEvent', (e) => {
        types.push(e.type);
        if (e.type === 'content_block_start') indexes.push(e.index);
      });
      const final = await stream.finalMessage();
      expect(types[0]).toBe('message_start');
      expect(types.at(-1)).toBe('message_stop');
      expect(types.at(-2)).toBe('message_delta');
      expect(types.filter((x) => x === 'content_block_delta').length).toBeGreaterThan(1);
      expect(indexes).toEqual([0]);
      expect(final.content).toEqual(plain.content);
      expect(final.stop_reason).toBe('end_turn');
      expect(final.usage.output_tokens).toBe(plain.usage.output_tokens);
      expect(final.usage.input_tokens).toBe(plain.usage.input_tokens);
    },
  );

  it.each(MODELS)('round-trips client tools (tool_use -> tool_result) with %s', async (model) => {
    const tools: Anthropic.Tool[] = [
      {
        name: 'get_weather',
        description: 'Weather for a city',
        input_schema: { type: 'object', properties: { city: { type: 'string' } } },
      },
    ];
    const ask = `weather? ${mockDirective({ tool_call: { name: 'get_weather', arguments: { city: 'Paris' } } })}`;
    const first = await client.messages.create({
      model,
      max_tokens: 256,
      tools,
      messages: [{ role: 'user', content: ask }],
    });
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    expect(use).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } });
    const second = await client.messages.create({
      model,
      max_tokens: 256,
      tools,
      messages: [
        { role: 'user', content: ask },
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: use!.id, content: '18C and sunny' }],
        },
      ],
    });
    expect(second.content).toEqual([{ type: 'text', text: 'Tool said: 18C and sunny' }]);
    expect(second.stop_reason).toBe('end_turn');
  });

  it.each(MODELS)('streams a tool_use block as input_json_delta for %s', async (model) => {
    const final = await client.messages
      .stream({
        model,
        max_tokens: 256,
        tools: [{ name: 'lookup', input_schema: { type: 'object' } }],
        messages: [
          {
            role: 'user',
            content: `go ${mockDirective({ tool_call: { name: 'lookup', arguments: { q: 'a long query string' } } })}`,
          },
        ],
      })
      .finalMessage();
    const use = final.content.find((b) => b.type === 'tool_use');
    expect(use).toMatchObject({
      type: 'tool_use',
      name: 'lookup',
      input: { q: 'a long query string' },
    });
    expect(final.stop_reason).toBe('tool_use');
  });

  it('sends the system prompt (string or text blocks) upstream in each provider format', async () => {
    const k1 = key();
    await client.messages.create({
      model: 'gpt-4o-mini',
      max_tokens: 64,
      system: 'You are terse.',
      messages: [{ role: 'user', content: `hi ${mockDirective({ key: k1 })}` }],
    });
    const openAiBody = t.mock.requests({ key: k1 })[0].body as {
      messages: Array<{ role: string; content: unknown }>;
    };
    expect(openAiBody.messages[0]).toEqual({ role: 'system', content: 'You are terse.' });

    const k2 = key();
    await client.messages.create({
      model: 'anthropic/claude-sonnet-4-6',
      max_tokens: 64,
      system: [{ type: 'text', text: 'You are terse.' }],
      messages: [{ role: 'user', content: `hi ${mockDirective({ key: k2 })}` }],
    });
    const anthropicBody = t.mock.requests({ key: k2 })[0].body as { system?: unknown };
    expect(JSON.stringify(anthropicBody.system)).toContain('You are terse.');
  });

  it('forwards a base64 image as an image part', async () => {
    const k = key();
    await client.messages.create({
      model: 'gpt-4o-mini',
      max_tokens: 64,
      messages: [
        {
          role: 'user',
          content: [
            {
              type: 'image',
              source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' },
            },
            { type: 'text', text: `what is it ${mockDirective({ key: k })}` },
          ],
        },
      ],
    });
    const body = t.mock.requests({ key: k })[0].body as {
      messages: Array<{ content: Array<{ type: string; image_url?: { url: string } }> }>;
    };
    expect(body.messages[0].content[0]).toEqual({
      type: 'image_url',
      image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' },
    });
  });

  it('counts input tokens for both providers, more for a longer input', async () => {
    for (const model of MODELS) {
      const short = await client.messages.countTokens({
        model,
        messages: [{ role: 'user', content: 'hi' }],
      });
      const long = await client.messages.countTokens({
        model,
        system: 'Be brief.',
        messages: [{ role: 'user', content: 'hi '.repeat(400) }],
      });
      expect(short.input_tokens).toBeGreaterThan(0);
      expect(long.input_tokens).toBeGreaterThan(short.input_tokens);
    }
  });

  it('answers a bad body with a 400 the SDK types as BadRequestError', async () => {
    const bad = client.messages.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    } as unknown as Anthropic.MessageCreateParamsNonStreaming);
    await expect(bad).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    await expect(bad).rejects.toMatchObject({
      status: 400,
      error: { type: 'error', error: { type: 'invalid_request_error' } },
    });
  });

  it("maps an upstream 400 to the SDK's BadRequestError for both providers", async () => {
    for (const model of MODELS) {
      const refused = client.messages.create({
        model,
        max_tokens: 16,
        messages: [{ role: 'user', content: `x ${mockDirective({ status: 400 })}` }],
      });
      await expect(refused).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    }
  });

  it('ends a stream that fails after it started with an Anthropic error event', async () => {
    const stream = client.messages.stream({
      model: 'gpt-4o-mini',
      max_tokens: 64,
      messages: [
        {
          role: 'user',
          content: `a few words please ${mockDirective({ stream_error: true, chunks: 3 })}`,
        },
      ],
    });
    let text = '';
    stream.on('text', (delta) => (text += delta));
    await expect(stream.finalMessage()).rejects.toMatchObject({
      error: { type: 'error', error: { type: 'api_error' } },
    });
    expect(text).not.toBe('');
  });

  it('answers a bad key with a 401 the SDK types as AuthenticationError', async () => {
    const stranger = new Anthropic({ baseURL: t.gw.url, apiKey: 'not-a-key', maxRetries: 0 });
    const denied = stranger.messages.create({
      model: 'gpt-4o-mini',
      max_tokens: 16,
      messages: [{ role: 'user', content: 'hi' }],
    });
    await expect(denied).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    await expect(denied).rejects.toMatchObject({
      error: { type: 'error', error: { type: 'authentication_error' } },
    });
  });

  it('answers an unknown bare model with a 404 not_found_error', async () => {
    const missing = client.messages.create({
      model: 'no-such-model-1',
      max_tokens: 16,
      messages: [{ role: 'user', content: 'hi' }],
    });
    await expect(missing).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    await expect(missing).rejects.toMatchObject({
      error: { type: 'error', error: { type: 'not_found_error' } },
    });
  });

  it('takes Authorization: Bearer and ?beta=true as Claude Code sends them', async () => {
    const res = await fetch(`${t.gw.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${signToken()}`,
        'content-type': 'application/json',
        'anthropic-version': '2023-06-01',
        'anthropic-beta': 'interleaved-thinking-2025-05-14',
      },
      body: JSON.stringify({
        model: 'claude-sonnet-4-6',
        max_tokens: 32,
        messages: [{ role: 'user', content: 'beta' }],
      }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ content: [{ type: 'text', text: 'Echo: beta' }] });
  });

  it('documents both routes in Swagger under one tag, with 2xx and Anthropic-shaped 4xx', async () => {
    const doc = (await (await fetch(`${t.gw.url}/docs-json`)).json()) as {
      paths: Record<string, { post: { tags: string[]; responses: Record<string, unknown> } }>;
      components: { schemas: Record<string, unknown> };
    };
    for (const path of ['/v1/messages', '/v1/messages/count_tokens']) {
      const op = doc.paths[path].post;
      expect(op.tags).toEqual(['anthropic-messages']);
      expect(Object.keys(op.responses)).toEqual(
        expect.arrayContaining(['200', '400', '401', '404']),
      );
      expect(JSON.stringify(op.responses['400'])).toContain(
        '#/components/schemas/AnthropicErrorDto',
      );
    }
    expect(doc.components.schemas).toHaveProperty('AnthropicErrorDto');
  });
});
