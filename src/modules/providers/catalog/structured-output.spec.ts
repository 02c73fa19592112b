import type { ChatRequest, ChatResult, StreamEvent } from '../provider.types';
import { toAnthropicBody } from '../adapters/anthropic/anthropic.request';
import { unwrapOutputTool, unwrapOutputToolStream } from '../output-tool';
import type { ModelFeatures } from './catalog.types';
import { ModelCatalogService } from './model-catalog.service';
import { planStructuredOutput, structuredOutputRoute } from './structured-output';

const SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string' } },
  required: ['city'],
  additionalProperties: false,
};
const jsonSchema = { type: 'json_schema' as const, json_schema: { name: 'place', schema: SCHEMA } };

const req = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
  service: 'anthropic',
  model: 'claude-haiku-4-5',
  messages: [{ role: 'user', content: 'hi' }],
  ...extra,
});

const features = (f: Partial<ModelFeatures>): ModelFeatures => ({
  tools: false,
  vision: false,
  streaming: true,
  json_mode: false,
  ...f,
});

describe('structuredOutputRoute', () => {
  it.each([
    [
      'json_schema, structured_outputs',
      jsonSchema,
      { structured_outputs: true, tools: true },
      'native',
    ],
    ['json_schema, tools only', jsonSchema, { tools: true, json_mode: true }, 'tool'],
    ['json_schema, JSON mode only', jsonSchema, { json_mode: true }, 'json_mode'],
    ['json_schema, nothing', jsonSchema, {}, undefined],
    [
      'json_object, JSON mode',
      { type: 'json_object' as const },
      { json_mode: true, tools: true },
      'native',
    ],
    [
      'json_object, tools only',
      { type: 'json_object' as const },
      { tools: true, structured_outputs: true },
      'tool',
    ],
    [
      'json_object, nothing',
      { type: 'json_object' as const },
      { structured_outputs: true },
      undefined,
    ],
    ['text', { type: 'text' as const }, {}, 'none'],
  ])('%s', (_label, format, f, route) => {
    expect(structuredOutputRoute(format, features(f))).toBe(route);
  });
});

describe('planStructuredOutput + the adapters', () => {
  const catalog = new ModelCatalogService();
  const prepared = (r: ChatRequest) => catalog.prepare(r, catalog.validate(r));

  it('sends json_schema to a Claude model with structured outputs as output_config.format', () => {
    const r = prepared(req({ response_format: jsonSchema }));
    expect(r.output_tool).toBeUndefined();
    const body = toAnthropicBody(r);
    expect(body.output_config).toEqual({ format: { type: 'json_schema', schema: SCHEMA } });
    expect(body.tools).toBeUndefined();
  });

  it('forces a tool with an open object schema for json_object on Claude', () => {
    const r = prepared(req({ response_format: { type: 'json_object' } }));
    expect(r.output_tool).toBe('json_output');
    const body = toAnthropicBody(r);
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

  it('forces a function tool named after the schema on a Groq model without json_schema', () => {
    const r = prepared(
      req({
        service: 'groq',
        model: 'llama-3.3-70b-versatile',
        response_format: {
          ...jsonSchema,
          json_schema: { ...jsonSchema.json_schema, strict: true },
        },
      }),
    );
    expect(r.response_format).toBeUndefined();
    expect(r.output_tool).toBe('place');
    expect(r.tool_choice).toEqual({ type: 'function', function: { name: 'place' } });
    expect(r.tools).toEqual([
      {
        type: 'function',
        function: expect.objectContaining({ name: 'place', parameters: SCHEMA, strict: true }),
      },
    ]);
  });

  it('passes json_schema through natively on gpt-4o-mini', () => {
    const r = prepared(
      req({ service: 'openai', model: 'gpt-4o-mini', response_format: jsonSchema }),
    );
    expect(r).toMatchObject({ response_format: jsonSchema });
    expect(r.output_tool).toBeUndefined();
  });

  it('keeps client tools next to the output tool, requiring a tool call', () => {
    const lookup = { type: 'function' as const, function: { name: 'place' } };
    const r = planStructuredOutput(
      req({ response_format: jsonSchema, tools: [lookup] }),
      features({ tools: true }),
    );
    // The schema's name is taken by a client tool: the output tool gets another one.
    expect(r.output_tool).toBe('place_2');
    expect(r.tools?.map((t) => t.function.name)).toEqual(['place', 'place_2']);
    expect(r.tool_choice).toBe('required');
  });

  it('offers the tool with "auto" when extended thinking is on (Claude refuses forced tools then)', () => {
    const r = planStructuredOutput(
      req({
        response_format: { type: 'json_object' },
        params: { thinking: { type: 'enabled', budget_tokens: 1024 } },
      }),
      features({ tools: true }),
    );
    expect(r.output_tool).toBe('json_output');
    expect(r.tool_choice).toBe('auto');
  });

  it('asks a JSON-mode-only model for json_object with the schema as a system instruction', () => {
    const r = planStructuredOutput(
      req({ response_format: jsonSchema }),
      features({ json_mode: true }),
    );
    expect(r.response_format).toEqual({ type: 'json_object' });
    expect(r.messages[0]).toEqual({
      role: 'system',
      content: expect.stringContaining(JSON.stringify(SCHEMA)),
    });
  });

  it('refuses response_format with a 400 naming it where no route exists', () => {
    const overridden = new ModelCatalogService();
    overridden.setOverrides({
      services: {
        groq: {
          models: { 'llama-3.1-8b-instant': { features: { tools: false, json_mode: false } } },
        },
      },
    });
    const r = req({ service: 'groq', model: 'llama-3.1-8b-instant', response_format: jsonSchema });
    expect(() => overridden.validate(r)).toThrow(
      expect.objectContaining({ message: expect.stringContaining('does not support json_schema') }),
    );
  });
});

const result = (extra: Partial<ChatResult>): ChatResult => ({
  id: 'x',
  service: 'anthropic',
  model: 'm',
  content: null,
  tool_calls: [],
  finish_reason: 'tool_calls',
  usage: {
    input_tokens: 1,
    output_tokens: 1,
    total_tokens: 2,
    cached_tokens: 0,
    reasoning_tokens: 0,
    cost_usd: null,
  },
  created: 0,
  attempts: 1,
  ...extra,
});
const call = (id: string, name: string, args: string) => ({
  id,
  type: 'function' as const,
  function: { name, arguments: args },
});

describe('unwrapOutputTool', () => {
  it("returns the output tool's input as content, finish 'stop'", () => {
    const r = unwrapOutputTool(result({ tool_calls: [call('1', 'out', '{"a":1}')] }), 'out');
    expect(r).toMatchObject({ content: '{"a":1}', tool_calls: [], finish_reason: 'stop' });
  });

  it("keeps the client's tool calls as tool calls", () => {
    const r = unwrapOutputTool(
      result({ tool_calls: [call('1', 'lookup', '{}'), call('2', 'out', '{"a":1}')] }),
      'out',
    );
    expect(r.content).toBe('{"a":1}');
    expect(r.tool_calls.map((c) => c.function.name)).toEqual(['lookup']);
    expect(r.finish_reason).toBe('tool_calls');
  });

  it('leaves answers without the output tool (or requests without one) alone', () => {
    const plain = result({ content: 'hi', finish_reason: 'stop' });
    expect(unwrapOutputTool(plain, 'out')).toBe(plain);
    const tools = result({ tool_calls: [call('1', 'out', '{}')] });
    expect(unwrapOutputTool(tools, undefined)).toBe(tools);
  });
});

describe('unwrapOutputToolStream', () => {
  async function collect(events: StreamEvent[], tool: string | undefined) {
    async function* source() {
      yield* events;
    }
    const out: StreamEvent[] = [];
    for await (const e of unwrapOutputToolStream(source(), tool)) out.push(e);
    return out;
  }

  it('turns the output tool call into text deltas and finishes with stop', async () => {
    const out = await collect(
      [
        { type: 'tool_call', index: 0, id: 't1', name: 'out', arguments: '' },
        { type: 'tool_call', index: 0, arguments: '{"a":' },
        { type: 'tool_call', index: 0, arguments: '1}' },
        { type: 'finish', finish_reason: 'tool_calls' },
      ],
      'out',
    );
    expect(out).toEqual([
      { type: 'text', text: '{"a":' },
      { type: 'text', text: '1}' },
      { type: 'finish', finish_reason: 'stop' },
    ]);
  });

  it("re-indexes the client's tool calls densely and keeps finish tool_calls", async () => {
    const out = await collect(
      [
        { type: 'tool_call', index: 0, id: 't1', name: 'out', arguments: '{}' },
        { type: 'tool_call', index: 1, id: 't2', name: 'lookup', arguments: '' },
        { type: 'tool_call', index: 1, arguments: '{}' },
        { type: 'finish', finish_reason: 'tool_calls' },
      ],
      'out',
    );
    expect(out).toEqual([
      { type: 'text', text: '{}' },
      { type: 'tool_call', index: 0, id: 't2', name: 'lookup', arguments: '' },
      { type: 'tool_call', index: 0, arguments: '{}' },
      { type: 'finish', finish_reason: 'tool_calls' },
    ]);
  });

  it('passes every event through when the request had no output tool', async () => {
    const events: StreamEvent[] = [
      { type: 'tool_call', index: 0, id: 't1', name: 'out', arguments: '{}' },
      { type: 'finish', finish_reason: 'tool_calls' },
    ];
    expect(await collect(events, undefined)).toEqual(events);
  });
});
