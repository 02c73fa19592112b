import { ErrorCode } from '../../../../common/errors';
import type { CompletionOutcome, PipelineEvent } from '../../pipeline/completion-job';
import type { OpenAiResponsesDto } from './dto/openai-responses.dto';
import { inputToMessages, itemIdsFrom, messagesToItems } from './responses.items';
import { toChatRequest } from './responses.request';
import {
  echoedRequest,
  failedResponse,
  pendingResponse,
  toResponseObject,
  type ResponseMeta,
} from './responses.response';
import { ResponsesEventMapper, responsesStreamFormat } from './responses.stream';

const usage = {
  input_tokens: 30,
  output_tokens: 5,
  total_tokens: 35,
  cached_tokens: 10,
  reasoning_tokens: 2,
  cost_usd: 0,
};

const outcome = (over: Partial<CompletionOutcome> = {}): CompletionOutcome => ({
  id: 'up-1',
  service: 'openai',
  model: 'gpt-4o-mini',
  content: 'Hello',
  tool_calls: [],
  finish_reason: 'stop',
  tool_runs: [],
  usage,
  created: 1,
  rounds: 1,
  cached: false,
  produced: [],
  ...over,
});

const body = (over: Partial<OpenAiResponsesDto> = {}): OpenAiResponsesDto => ({
  model: 'gpt-4o-mini',
  input: 'hi',
  ...over,
});

const meta = (over: Partial<OpenAiResponsesDto> = {}): ResponseMeta => ({
  id: 'resp_abc',
  created_at: 1700000000,
  model: 'gpt-4o-mini',
  echo: echoedRequest(body(over)),
});

const thrown = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e as { code: ErrorCode; param?: string; message: string; status: number };
  }
  throw new Error('expected a throw');
};

describe('Responses input items -> canonical messages', () => {
  it('turns a string into one user message', () => {
    expect(inputToMessages('hello')).toEqual([{ role: 'user', content: 'hello' }]);
  });

  it('maps messages, images, function calls and their outputs, dropping reasoning', () => {
    const messages = inputToMessages([
      { role: 'developer', content: 'Be terse.' },
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_text', text: 'what is this?' },
          { type: 'input_image', image_url: 'data:image/png;base64,AAA', detail: 'low' },
        ],
      },
      { type: 'reasoning', id: 'rs_1', summary: [] },
      {
        type: 'message',
        role: 'assistant',
        id: 'msg_1',
        status: 'completed',
        content: [{ type: 'output_text', text: 'Let me check.', annotations: [] }],
      },
      { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{"a":1}' },
      { type: 'function_call', call_id: 'c2', name: 'g', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c1', output: 'one' },
      {
        type: 'function_call_output',
        call_id: 'c2',
        output: [{ type: 'input_text', text: 'two' }],
      },
      { type: 'function_call', call_id: 'c3', name: 'f', arguments: '{}' },
    ]);
    expect(messages).toEqual([
      { role: 'developer', content: 'Be terse.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAA', detail: 'low' } },
        ],
      },
      {
        role: 'assistant',
        content: 'Let me check.',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } },
          { id: 'c2', type: 'function', function: { name: 'g', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'one' },
      { role: 'tool', tool_call_id: 'c2', content: 'two' },
      // After tool outputs a call opens a new assistant turn (null content: calls only).
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c3', type: 'function', function: { name: 'f', arguments: '{}' } }],
      },
    ]);
  });

  it('refuses unsupported items and parts with a 400 naming the index', () => {
    const ref = thrown(() =>
      inputToMessages([
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' },
        { role: 'user', content: 'c' },
        { type: 'item_reference', id: 'msg_1' },
      ]),
    );
    expect(ref).toMatchObject({ code: ErrorCode.VALIDATION_FAILED, param: 'input[3].type' });
    expect(ref.message).toContain('item_reference');
    expect(ref.status).toBe(400);
    expect(thrown(() => inputToMessages([{ type: 'web_search_call', id: 'x' }])).param).toBe(
      'input[0].type',
    );
    expect(
      thrown(() =>
        inputToMessages([{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }]),
      ).param,
    ).toBe('input[0].content[0].type');
    expect(
      thrown(() => inputToMessages([{ type: 'function_call', name: 'f', arguments: '{}' }])).param,
    ).toBe('input[0].call_id');
    expect(thrown(() => inputToMessages([{ role: 'tool', content: 'x' }])).param).toBe(
      'input[0].role',
    );
  });
});

describe('canonical messages -> Responses items', () => {
  it('gives message, function_call and function_call_output items with stable ids', () => {
    const items = messagesToItems(
      [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'hi' },
        {
          role: 'assistant',
          content: 'Calling.',
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'done' },
      ],
      itemIdsFrom('r1'),
    );
    expect(items).toEqual([
      {
        id: 'msg_r1_0_0',
        type: 'message',
        role: 'system',
        status: 'completed',
        content: [{ type: 'input_text', text: 'sys' }],
      },
      {
        id: 'msg_r1_1_0',
        type: 'message',
        role: 'user',
        status: 'completed',
        content: [{ type: 'input_text', text: 'hi' }],
      },
      {
        id: 'msg_r1_2_0',
        type: 'message',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: 'Calling.', annotations: [] }],
      },
      {
        id: 'fc_r1_2_1',
        type: 'function_call',
        call_id: 'c1',
        name: 'f',
        arguments: '{}',
        status: 'completed',
      },
      {
        id: 'fco_r1_3_0',
        type: 'function_call_output',
        call_id: 'c1',
        output: 'done',
        status: 'completed',
      },
    ]);
    // Items back to messages: the same conversation.
    expect(inputToMessages(items)).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'hi' },
      {
        role: 'assistant',
        content: 'Calling.',
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'done' },
    ]);
  });
});

describe('Responses create body -> canonical request', () => {
  it('puts instructions first and maps limits, format, tools and tool_choice', () => {
    const req = toChatRequest(
      body({
        instructions: 'Be brief.',
        max_output_tokens: 50,
        temperature: 0.3,
        reasoning: { effort: 'low' },
        text: {
          format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true },
        },
        tools: [{ type: 'function', name: 'f', parameters: { type: 'object' }, strict: null }],
        tool_choice: { type: 'function', name: 'f' },
        parallel_tool_calls: false,
        user: 'u1',
      }),
      'openai/gpt-4o-mini',
      (name) => name === 'temperature',
    );
    expect(req).toEqual({
      model: 'openai/gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
      // reasoning_effort left out: the model's catalog entry does not list it.
      params: { max_tokens: 50, temperature: 0.3 },
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
      tool_choice: { type: 'function', function: { name: 'f' } },
      parallel_tool_calls: false,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'out', schema: { type: 'object' }, strict: true },
      },
      user: 'u1',
    });
    const withEffort = toChatRequest(
      body({ reasoning: { effort: 'high' }, text: { format: { type: 'json_object' } } }),
      'openai/o4-mini',
      () => true,
    );
    expect(withEffort.params).toEqual({ reasoning_effort: 'high' });
    expect(withEffort.response_format).toEqual({ type: 'json_object' });
    const tools = [{ type: 'function', name: 'f' }];
    expect(
      toChatRequest(body({ tools, tool_choice: 'required' }), 'm/x', () => true).tool_choice,
    ).toBe('required');
    // Without tools, tool_choice and parallel_tool_calls stay home (OpenAI refuses them).
    const bare = toChatRequest(
      body({ tools: [], tool_choice: 'auto', parallel_tool_calls: true }),
      'm/x',
      () => true,
    );
    expect(bare.tool_choice).toBeUndefined();
    expect(bare.parallel_tool_calls).toBeUndefined();
    expect(bare.tools).toBeUndefined();
  });

  it('refuses hosted tools, unknown tool_choice and a body without input', () => {
    const hosted = thrown(() =>
      toChatRequest(body({ tools: [{ type: 'web_search' }] }), 'm/x', () => true),
    );
    expect(hosted).toMatchObject({ param: 'tools[0].type', status: 400 });
    expect(hosted.message).toContain('not supported by this gateway');
    expect(
      thrown(() => toChatRequest(body({ tool_choice: { type: 'file_search' } }), 'm/x', () => true))
        .param,
    ).toBe('tool_choice');
    expect(
      thrown(() => toChatRequest(body({ input: undefined, instructions: 'x' }), 'm/x', () => true))
        .param,
    ).toBe('input');
    expect(
      thrown(() =>
        toChatRequest(body({ text: { format: { type: 'json_schema' } } }), 'm/x', () => true),
      ).param,
    ).toBe('text.format.name');
  });
});

describe('outcome -> Response object', () => {
  it('builds reasoning, message and function_call items, usage and the echoed fields', () => {
    const r = toResponseObject(
      outcome({
        content: 'Calling.',
        finish_reason: 'tool_calls',
        thinking: [{ type: 'thinking', thinking: 'hmm', signature: 'sig' }],
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
      }),
      meta({ instructions: 'Be brief.', metadata: { a: 'b' } }),
    );
    expect(r).toMatchObject({
      id: 'resp_abc',
      object: 'response',
      created_at: 1700000000,
      status: 'completed',
      error: null,
      incomplete_details: null,
      model: 'gpt-4o-mini',
      instructions: 'Be brief.',
      metadata: { a: 'b' },
      tools: [],
      tool_choice: 'auto',
      parallel_tool_calls: true,
      temperature: null,
      top_p: null,
      max_output_tokens: null,
      previous_response_id: null,
      text: { format: { type: 'text' } },
      reasoning: { effort: null, summary: null },
      store: true,
      background: false,
      usage: {
        input_tokens: 30,
        input_tokens_details: { cached_tokens: 10 },
        output_tokens: 5,
        output_tokens_details: { reasoning_tokens: 2 },
        total_tokens: 35,
      },
    });
    expect(r.output).toEqual([
      {
        id: 'rs_abc_0',
        type: 'reasoning',
        summary: [],
        content: [{ type: 'reasoning_text', text: 'hmm' }],
        encrypted_content: 'sig',
        status: 'completed',
      },
      {
        id: 'msg_abc',
        type: 'message',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: 'Calling.', annotations: [], logprobs: [] }],
      },
      {
        id: 'fc_abc_0',
        type: 'function_call',
        call_id: 'c1',
        name: 'f',
        arguments: '{}',
        status: 'completed',
      },
    ]);
    expect(r).not.toHaveProperty('output_text');
    expect(r.completed_at).toEqual(expect.any(Number));
  });

  it('is incomplete with max_output_tokens when the answer hit the limit', () => {
    const r = toResponseObject(outcome({ finish_reason: 'length' }), meta());
    expect(r.status).toBe('incomplete');
    expect(r.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(r.output[0]).toMatchObject({ type: 'message', status: 'incomplete' });
    expect(r).not.toHaveProperty('completed_at');
  });

  it('builds pending and failed responses for background mode', () => {
    expect(pendingResponse(meta(), 'queued')).toMatchObject({
      status: 'queued',
      output: [],
      usage: null,
      error: null,
    });
    expect(failedResponse(meta(), { code: 'server_error', message: 'boom' })).toMatchObject({
      status: 'failed',
      error: { code: 'server_error', message: 'boom' },
    });
  });
});

describe('Responses stream events', () => {
  const start: PipelineEvent = {
    type: 'start',
    id: 'u',
    service: 'openai',
    model: 'gpt-4o-mini',
    created: 1,
  };

  it('numbers events from 0 and wraps text and a tool call in their item events', () => {
    const m = new ResponsesEventMapper(meta());
    const final = outcome({
      content: 'Hi!',
      finish_reason: 'tool_calls',
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
    });
    const events: PipelineEvent[] = [
      start,
      { type: 'text', text: 'Hi' },
      { type: 'text', text: '!' },
      { type: 'tool_call', index: 0, id: 'c1', name: 'f', arguments: '' },
      { type: 'tool_call', index: 0, arguments: '{"a":' },
      { type: 'tool_call', index: 0, arguments: '1}' },
      { type: 'done', outcome: final },
    ];
    const out = events.flatMap((e) => m.map(e));
    expect(out.map((e) => e.sequence_number)).toEqual(out.map((_, i) => i));
    expect(out.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(out[0]).toMatchObject({
      response: { id: 'resp_abc', status: 'in_progress', output: [] },
    });
    expect(out[2]).toEqual({
      type: 'response.output_item.added',
      sequence_number: 2,
      output_index: 0,
      item: {
        id: 'msg_abc',
        type: 'message',
        role: 'assistant',
        status: 'in_progress',
        content: [],
      },
    });
    expect(out[4]).toEqual({
      type: 'response.output_text.delta',
      sequence_number: 4,
      item_id: 'msg_abc',
      output_index: 0,
      content_index: 0,
      delta: 'Hi',
      logprobs: [],
    });
    expect(out[6]).toMatchObject({ text: 'Hi!' });
    expect(out[9]).toMatchObject({
      output_index: 1,
      item: { id: 'fc_abc_0', type: 'function_call', call_id: 'c1', name: 'f', arguments: '' },
    });
    expect(out[12]).toMatchObject({ item_id: 'fc_abc_0', name: 'f', arguments: '{"a":1}' });
    // The completed response matches the streamed items, so the SDK's snapshot agrees.
    expect(out[14].response).toEqual({
      ...toResponseObject(final, meta()),
      completed_at: expect.any(Number),
    });
  });

  it('streams thinking as a reasoning item before the message', () => {
    const m = new ResponsesEventMapper(meta());
    const out = [
      start,
      { type: 'thinking', block: 0, thinking: 'Hm' },
      { type: 'thinking', block: 0, signature: 'S' },
      { type: 'text', text: 'Yes' },
    ].flatMap((e) => m.map(e as PipelineEvent));
    expect(out.slice(2).map((e) => e.type)).toEqual([
      'response.output_item.added',
      'response.content_part.added',
      'response.reasoning_text.delta',
      'response.reasoning_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
    ]);
    expect(out[7]).toMatchObject({
      item: { id: 'rs_abc_0', type: 'reasoning', encrypted_content: 'S', status: 'completed' },
    });
    expect(out[8]).toMatchObject({ output_index: 1, item: { id: 'msg_abc' } });
  });

  it('ends with response.incomplete when the answer hit max_output_tokens', () => {
    const m = new ResponsesEventMapper(meta());
    const out = [start, { type: 'text', text: 'cut' } as PipelineEvent].flatMap((e) => m.map(e));
    const last = m.map({ type: 'done', outcome: outcome({ finish_reason: 'length' }) }).at(-1)!;
    expect(last).toMatchObject({
      type: 'response.incomplete',
      sequence_number: out.length + 3,
      response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } },
    });
  });

  it('reports a failure after the start as response.failed with the request id', () => {
    const format = responsesStreamFormat(meta());
    expect(format).toMatchObject({ namedEvents: true, terminator: null });
    format.map(start);
    const failed = format.error(
      { status: 502, code: ErrorCode.INTERNAL, message: 'upstream broke' },
      'req-1',
    );
    expect(failed).toMatchObject({
      type: 'response.failed',
      sequence_number: 2,
      response: {
        id: 'resp_abc',
        status: 'failed',
        error: { code: 'server_error', message: 'upstream broke', request_id: 'req-1' },
      },
    });
    // A new format per request: its numbering starts again at 0.
    expect(responsesStreamFormat(meta()).map(start)[0]).toMatchObject({ sequence_number: 0 });
  });
});
