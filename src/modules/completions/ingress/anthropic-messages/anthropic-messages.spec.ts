import { ErrorCode } from '../../../../common/errors';
import type { CompletionOutcome, PipelineEvent } from '../../pipeline/completion-job';
import { toChatRequest, toMessages } from './anthropic-messages.request';
import {
  AnthropicEventMapper,
  anthropicUsage,
  stopReason,
  toAnthropicErrorBody,
  toAnthropicMessage,
} from './anthropic-messages.response';
import type { AnthropicMessagesDto } from './dto/anthropic-messages.dto';

const body = (over: Partial<AnthropicMessagesDto> = {}): AnthropicMessagesDto => ({
  model: 'gpt-4o-mini',
  max_tokens: 100,
  messages: [{ role: 'user', content: 'hi' }],
  ...over,
});

const usage = {
  input_tokens: 30,
  output_tokens: 5,
  total_tokens: 35,
  cached_tokens: 10,
  reasoning_tokens: 0,
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

describe('Anthropic Messages -> canonical', () => {
  it('puts the system prompt (string or text blocks) first', () => {
    expect(toMessages(body({ system: 'Be brief.' }))[0]).toEqual({
      role: 'system',
      content: 'Be brief.',
    });
    expect(
      toMessages(
        body({
          system: [
            { type: 'text', text: 'A' },
            { type: 'text', text: 'B' },
          ],
        }),
      )[0],
    ).toEqual({ role: 'system', content: 'A\n\nB' });
    // A cache breakpoint keeps the blocks apart, the breakpoint on its block.
    expect(
      toMessages(
        body({
          system: [
            { type: 'text', text: 'A' },
            { type: 'text', text: 'B', cache_control: { type: 'ephemeral', ttl: '1h' } },
          ],
        }),
      )[0],
    ).toEqual({
      role: 'system',
      content: [
        { type: 'text', text: 'A' },
        { type: 'text', text: 'B', cache_control: { type: 'ephemeral', ttl: '1h' } },
      ],
    });
  });

  it('keeps cache_control on text, image and tool_result blocks and on tools', () => {
    const mark = { type: 'ephemeral' };
    const req = toChatRequest(
      body({
        tools: [{ name: 'f', input_schema: { type: 'object' }, cache_control: mark }],
        messages: [
          { role: 'user', content: 'q' },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'calling', cache_control: mark },
              { type: 'tool_use', id: 't1', name: 'f', input: {} },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 't1', content: 'r', cache_control: mark },
              { type: 'text', text: 'doc', cache_control: mark },
              {
                type: 'image',
                source: { type: 'url', url: 'https://x.test/a.png' },
                cache_control: mark,
              },
            ],
          },
        ],
      }),
      'anthropic/claude-sonnet-4-6',
      () => true,
    );
    expect(req.tools?.[0].cache_control).toEqual(mark);
    expect(req.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: [{ type: 'text', text: 'calling', cache_control: mark }],
        tool_calls: [expect.objectContaining({ id: 't1' })],
      },
      { role: 'tool', tool_call_id: 't1', content: 'r', cache_control: mark },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'doc', cache_control: mark },
          { type: 'image_url', image_url: { url: 'https://x.test/a.png' }, cache_control: mark },
        ],
      },
    ]);
  });

  it('turns tool_use into tool_calls and tool_result into tool messages before the user text', () => {
    const messages = toMessages(
      body({
        messages: [
          { role: 'user', content: 'weather?' },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'hmm', signature: 's' },
              { type: 'text', text: 'Let me look.' },
              { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
            ],
          },
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                tool_use_id: 'toolu_1',
                content: [{ type: 'text', text: '18C' }],
              },
              { type: 'tool_result', tool_use_id: 'toolu_2', content: 'boom', is_error: true },
              { type: 'text', text: 'and tomorrow?' },
            ],
          },
        ],
      }),
    );
    expect(messages).toEqual([
      { role: 'user', content: 'weather?' },
      {
        role: 'assistant',
        content: 'Let me look.',
        tool_calls: [
          {
            id: 'toolu_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
        ],
        // Kept with its turn: Claude needs it back in a tool loop with thinking enabled.
        thinking: [{ type: 'thinking', thinking: 'hmm', signature: 's' }],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: '18C' },
      { role: 'tool', tool_call_id: 'toolu_2', content: 'Error: boom' },
      { role: 'user', content: 'and tomorrow?' },
    ]);
  });

  it('maps base64 and url images to image_url parts', () => {
    const [m] = toMessages(
      body({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAA' } },
              { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
              { type: 'text', text: 'what?' },
            ],
          },
        ],
      }),
    );
    expect(m).toEqual({
      role: 'user',
      content: [
        { type: 'image_url', image_url: { url: 'data:image/png;base64,AAA' } },
        { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
        { type: 'text', text: 'what?' },
      ],
    });
  });

  it('refuses unsupported blocks and server tools with a 400 naming the field', () => {
    const doc = () =>
      toMessages(body({ messages: [{ role: 'user', content: [{ type: 'document' }] }] }));
    expect(doc).toThrow(
      expect.objectContaining({ code: ErrorCode.VALIDATION_FAILED, param: 'messages.0.content.0' }),
    );
    const server = () =>
      toChatRequest(
        body({ tools: [{ type: 'web_search_20250305', name: 'web_search', input_schema: {} }] }),
        'openai/gpt-4o-mini',
        () => true,
      );
    expect(server).toThrow(expect.objectContaining({ param: 'tools.0.type' }));
  });

  it('maps tools, tool_choice, stop_sequences, metadata and only the supported sampling params', () => {
    const req = toChatRequest(
      body({
        tools: [{ name: 'f', description: 'd', input_schema: { type: 'object' } }],
        tool_choice: { type: 'tool', name: 'f', disable_parallel_tool_use: true },
        stop_sequences: ['END'],
        temperature: 0.5,
        top_k: 5,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        metadata: { user_id: 'u-1' },
      }),
      'openai/gpt-4o-mini',
      (name) => name === 'temperature',
    );
    expect(req).toMatchObject({
      model: 'openai/gpt-4o-mini',
      params: { max_tokens: 100, stop: ['END'], temperature: 0.5 },
      tools: [
        {
          type: 'function',
          function: { name: 'f', description: 'd', parameters: { type: 'object' } },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'f' } },
      parallel_tool_calls: false,
      user: 'u-1',
    });
    expect(req.params).not.toHaveProperty('top_k');
    expect(req.params).not.toHaveProperty('thinking');
    expect(
      toChatRequest(body({ tool_choice: { type: 'any' } }), 'm/x', () => false).tool_choice,
    ).toBe('required');
  });
});

describe('canonical -> Anthropic Messages', () => {
  it('builds the message object with text and tool_use blocks and Anthropic usage', () => {
    const msg = toAnthropicMessage(
      outcome({
        content: 'Calling.',
        finish_reason: 'tool_calls',
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
      }),
      'msg_1',
      'gpt-4o-mini',
    );
    expect(msg).toEqual({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      content: [
        { type: 'text', text: 'Calling.' },
        { type: 'tool_use', id: 'c1', name: 'f', input: { a: 1 } },
      ],
      model: 'gpt-4o-mini',
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: {
        input_tokens: 20,
        output_tokens: 5,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 10,
      },
    });
  });

  it('maps every finish reason', () => {
    expect(stopReason('stop')).toBe('end_turn');
    expect(stopReason('length')).toBe('max_tokens');
    expect(stopReason('tool_calls')).toBe('tool_use');
    expect(stopReason('content_filter')).toBe('refusal');
    expect(anthropicUsage({ ...usage, cached_tokens: 0 }).input_tokens).toBe(30);
  });

  it('streams thinking as a thinking block with thinking_delta and signature_delta', () => {
    const m = new AnthropicEventMapper('msg_1', 'claude-sonnet-4-6');
    const events: PipelineEvent[] = [
      { type: 'start', id: 'u', service: 'anthropic', model: 'claude-sonnet-4-6', created: 1 },
      { type: 'thinking', block: 0, thinking: 'Hm' },
      { type: 'thinking', block: 0, signature: 'S' },
      { type: 'thinking', block: 1, data: 'ENC' },
      { type: 'text', text: 'Hi' },
    ];
    const out = events.flatMap((e) => m.map(e)).slice(2);
    expect(out).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Hm' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'S' } },
      { type: 'content_block_stop', index: 0 },
      {
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'redacted_thinking', data: 'ENC' },
      },
      { type: 'content_block_stop', index: 1 },
      { type: 'content_block_start', index: 2, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 2, delta: { type: 'text_delta', text: 'Hi' } },
    ]);
  });

  it('names the stop sequence that ended the answer and reports cache writes', () => {
    expect(stopReason('stop', 'END')).toBe('stop_sequence');
    expect(stopReason('length', 'END')).toBe('max_tokens');
    const msg = toAnthropicMessage(
      outcome({
        finish_reason: 'stop',
        stop_sequence: 'END',
        tool_calls: [],
        usage: { ...usage, cache_write_tokens: 8 },
      }),
      'msg_1',
      'claude-sonnet-4-6',
    );
    expect(msg).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'END' });
    expect(msg.usage).toEqual({
      input_tokens: 12,
      output_tokens: 5,
      cache_creation_input_tokens: 8,
      cache_read_input_tokens: 10,
    });
  });

  it('streams blocks with indexes in order, closing each before the next', () => {
    const m = new AnthropicEventMapper('msg_1', 'claude-sonnet-4-6');
    const events: PipelineEvent[] = [
      { type: 'start', id: 'u', service: 'anthropic', model: 'claude-sonnet-4-6', created: 1 },
      { type: 'text', text: 'Hi' },
      { type: 'text', text: '!' },
      { type: 'tool_call', index: 0, id: 'c1', name: 'f', arguments: '' },
      { type: 'tool_call', index: 0, arguments: '{"a":' },
      { type: 'tool_call', index: 0, arguments: '1}' },
      { type: 'done', outcome: outcome({ finish_reason: 'tool_calls' }) },
    ];
    const out = events.flatMap((e) => m.map(e)) as Array<Record<string, unknown>>;
    expect(out.map((e) => [e.type, e.index])).toEqual([
      ['message_start', undefined],
      ['ping', undefined],
      ['content_block_start', 0],
      ['content_block_delta', 0],
      ['content_block_delta', 0],
      ['content_block_stop', 0],
      ['content_block_start', 1],
      ['content_block_delta', 1],
      ['content_block_delta', 1],
      ['content_block_stop', 1],
      ['message_delta', undefined],
      ['message_stop', undefined],
    ]);
    expect(out[0]).toMatchObject({
      message: { content: [], model: 'claude-sonnet-4-6', stop_reason: null },
    });
    expect(out[3]).toEqual({
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: 'Hi' },
    });
    expect(out[6]).toEqual({
      type: 'content_block_start',
      index: 1,
      content_block: { type: 'tool_use', id: 'c1', name: 'f', input: {} },
    });
    expect(out[7]).toMatchObject({ delta: { type: 'input_json_delta', partial_json: '{"a":' } });
    expect(out[10]).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: {
        input_tokens: 20,
        output_tokens: 5,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 10,
      },
    });
  });

  it('renders errors in Anthropic shape by status', () => {
    const e = (status: number) =>
      toAnthropicErrorBody({ status, code: ErrorCode.INTERNAL, message: 'm' }, 'r1');
    expect(e(400)).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'm' },
      request_id: 'r1',
    });
    expect(e(401).error.type).toBe('authentication_error');
    expect(e(403).error.type).toBe('permission_error');
    expect(e(404).error.type).toBe('not_found_error');
    expect(e(429).error.type).toBe('rate_limit_error');
    expect(e(502).error.type).toBe('api_error');
    expect(e(503).error.type).toBe('overloaded_error');
  });
});
