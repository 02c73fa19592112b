import type { ChatRequest, StreamEvent } from '../../provider.types';
import { toAnthropicBody, usesSamplingParams } from './anthropic.request';
import { AnthropicEventAccumulator, parseMessage } from './anthropic.response';

const req = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
  service: 'anthropic',
  model: 'claude-haiku-4-5',
  messages: [{ role: 'user', content: 'hi' }],
  ...extra,
});

describe('toAnthropicBody', () => {
  it('sends cache_control unchanged on system, text, image, tool_result blocks and tools', () => {
    const mark = { type: 'ephemeral', ttl: '1h' };
    const body = toAnthropicBody(
      req({
        messages: [
          {
            role: 'system',
            content: [
              { type: 'text', text: 'rules' },
              { type: 'text', text: 'corpus', cache_control: mark },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'doc', cache_control: mark },
              {
                type: 'image_url',
                image_url: { url: 'https://x.test/a.png' },
                cache_control: mark,
              },
            ],
          },
          {
            role: 'assistant',
            content: [{ type: 'text', text: 'calling', cache_control: mark }],
            tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{}' } }],
          },
          { role: 'tool', tool_call_id: 't1', content: 'r', cache_control: mark },
        ],
        tools: [{ type: 'function', function: { name: 'f' }, cache_control: mark }],
        response_format: { type: 'json_object' },
      }),
    );
    expect(body.system).toEqual([
      { type: 'text', text: 'rules' },
      { type: 'text', text: 'corpus', cache_control: mark },
      { type: 'text', text: expect.stringContaining('JSON') },
    ]);
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'doc', cache_control: mark },
          {
            type: 'image',
            source: { type: 'url', url: 'https://x.test/a.png' },
            cache_control: mark,
          },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'calling', cache_control: mark },
          { type: 'tool_use', id: 't1', name: 'f', input: {} },
        ],
      },
      {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: 't1', content: 'r', cache_control: mark }],
      },
    ]);
    expect(body.tools).toEqual([
      { name: 'f', input_schema: { type: 'object' }, cache_control: mark },
    ]);
  });

  it('keeps a plain string system prompt when no block is marked', () => {
    const body = toAnthropicBody(
      req({
        messages: [
          {
            role: 'system',
            content: [
              { type: 'text', text: 'a' },
              { type: 'text', text: 'b' },
            ],
          },
          { role: 'user', content: 'hi' },
        ],
      }),
    );
    expect(body.system).toBe('ab');
  });

  it('keeps the sampling parameters the client chose, drops what the Messages API lacks, falls back to a max_tokens', () => {
    const body = toAnthropicBody(
      req({
        params: {
          temperature: 0.5,
          top_p: 0.9,
          top_k: 5,
          seed: 1,
          presence_penalty: 1,
          frequency_penalty: 1,
        },
      }),
    );
    expect(body).toEqual({
      model: 'claude-haiku-4-5',
      max_tokens: 4096,
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0.5,
      top_p: 0.9,
      top_k: 5,
    });
    expect(usesSamplingParams(body)).toBe(true);
    expect(usesSamplingParams(toAnthropicBody(req({})))).toBe(false);
  });

  it.each([
    ['none', { type: 'none' }],
    ['auto', { type: 'auto' }],
    ['required', { type: 'any' }],
    [
      { type: 'function', function: { name: 'f' } },
      { type: 'tool', name: 'f' },
    ],
  ] as const)('maps tool_choice %j', (choice, expected) => {
    const body = toAnthropicBody(
      req({ tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: choice }),
    );
    expect(body.tool_choice).toEqual(expected);
    expect(body.tools).toEqual([{ name: 'f', input_schema: { type: 'object' } }]);
  });

  it('maps json_schema to output_config and json_object to an instruction', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    expect(
      toAnthropicBody(
        req({ response_format: { type: 'json_schema', json_schema: { name: 'x', schema } } }),
      ).output_config,
    ).toEqual({ format: { type: 'json_schema', schema } });
    expect(toAnthropicBody(req({ response_format: { type: 'json_object' } })).system).toContain(
      'JSON',
    );
  });

  it('keeps tool ids within what Anthropic accepts', () => {
    const body = toAnthropicBody(
      req({
        messages: [
          { role: 'user', content: 'hi' },
          {
            role: 'assistant',
            content: '',
            tool_calls: [
              { id: 'fn:1.a', type: 'function', function: { name: 'f', arguments: '' } },
            ],
          },
          { role: 'tool', tool_call_id: 'fn:1.a', content: 'ok' },
        ],
      }),
    );
    expect(body.messages[1]).toEqual({
      role: 'assistant',
      content: [{ type: 'tool_use', id: 'fn_1_a', name: 'f', input: {} }],
    });
    expect(body.messages[2]).toEqual({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'fn_1_a', content: 'ok' }],
    });
  });

  it.each([
    [
      { type: 'image_url', image_url: { url: 'data:image/bmp;base64,AAAA' } },
      'messages[0].content[0].image_url',
    ],
    [
      { type: 'image_url', image_url: { url: 'ftp://x/y.png' } },
      'messages[0].content[0].image_url',
    ],
  ] as const)('rejects an image it cannot send (%j)', (part, param) => {
    expect(() => toAnthropicBody(req({ messages: [{ role: 'user', content: [part] }] }))).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', param }),
    );
  });

  it('rejects tool-call arguments that are not a JSON object', () => {
    const messages: ChatRequest['messages'] = [
      { role: 'user', content: 'hi' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '[1]' } }],
      },
    ];
    expect(() => toAnthropicBody(req({ messages }))).toThrow(
      expect.objectContaining({ param: 'messages[1].tool_calls[0].function.arguments' }),
    );
  });
});

describe('parseMessage', () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['refusal', 'content_filter'],
    ['pause_turn', 'stop'],
  ])('maps stop_reason %s to %s', (stop, finish) => {
    expect(
      parseMessage({ id: 'm', content: [{ type: 'text', text: 'x' }], stop_reason: stop }, 'c')
        .finish_reason,
    ).toBe(finish);
  });

  it('counts cache reads and writes as input, cache reads as cached', () => {
    const r = parseMessage(
      {
        id: 'm',
        content: [
          { type: 'thinking', thinking: '...' },
          { type: 'text', text: 'Hi' },
          { type: 'tool_use', id: 'toolu_1', name: 'f', input: { a: 1 } },
        ],
        stop_reason: 'tool_use',
        usage: {
          input_tokens: 10,
          cache_read_input_tokens: 100,
          cache_creation_input_tokens: 5,
          output_tokens: 20,
        },
      },
      'c',
    );
    expect(r).toMatchObject({
      content: 'Hi',
      finish_reason: 'tool_calls',
      tool_calls: [
        { id: 'toolu_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } },
      ],
      usage: { input_tokens: 115, cached_tokens: 100, output_tokens: 20, total_tokens: 135 },
    });
  });

  it('keeps the stop sequence that ended the answer and counts cache writes as input', () => {
    const r = parseMessage(
      {
        id: 'm',
        content: [{ type: 'text', text: 'one two' }],
        stop_reason: 'stop_sequence',
        stop_sequence: 'END',
        usage: {
          input_tokens: 5,
          cache_read_input_tokens: 10,
          cache_creation_input_tokens: 100,
          output_tokens: 2,
        },
      },
      'c',
    );
    expect(r).toMatchObject({ finish_reason: 'stop', stop_sequence: 'END' });
    expect(r.usage).toMatchObject({
      input_tokens: 115,
      cached_tokens: 10,
      cache_write_tokens: 100,
    });
    const natural = parseMessage(
      { id: 'm', content: [], stop_reason: 'end_turn', stop_sequence: null },
      'c',
    );
    expect(natural.stop_sequence).toBeUndefined();
    expect(natural.usage.cache_write_tokens).toBeUndefined();
  });

  it('refuses a body without content', () => {
    expect(() => parseMessage({ id: 'm' }, 'c')).toThrow(
      expect.objectContaining({ kind: 'malformed' }),
    );
  });
});

describe('AnthropicEventAccumulator', () => {
  it('maps content-block indexes to dense tool-call indexes and merges cumulative usage', () => {
    const acc = new AnthropicEventAccumulator('c');
    const events: StreamEvent[] = [
      {
        type: 'message_start',
        message: {
          id: 'msg_1',
          usage: { input_tokens: 12, output_tokens: 1, cache_read_input_tokens: 3 },
        },
      },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text: 'Let me check.' },
      },
      { type: 'content_block_stop', index: 0 },
      {
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'tool_use', id: 'toolu_a', name: 'f', input: {} },
      },
      {
        type: 'content_block_delta',
        index: 1,
        delta: { type: 'input_json_delta', partial_json: '{"a":' },
      },
      {
        type: 'content_block_delta',
        index: 1,
        delta: { type: 'input_json_delta', partial_json: '1}' },
      },
      { type: 'ping' },
      {
        type: 'message_delta',
        delta: { stop_reason: 'tool_use' },
        usage: { output_tokens: 30, input_tokens: null },
      },
      { type: 'message_stop' },
    ].flatMap((e) => acc.push(e));
    expect([...events, ...acc.end()]).toEqual([
      { type: 'start', id: 'msg_1', service: 'anthropic', model: 'c', created: expect.any(Number) },
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_call', index: 0, id: 'toolu_a', name: 'f', arguments: '' },
      { type: 'tool_call', index: 0, arguments: '{"a":' },
      { type: 'tool_call', index: 0, arguments: '1}' },
      { type: 'finish', finish_reason: 'tool_calls' },
      {
        type: 'usage',
        usage: {
          input_tokens: 15,
          output_tokens: 30,
          total_tokens: 45,
          cached_tokens: 3,
          reasoning_tokens: 0,
          cost_usd: null,
        },
      },
    ]);
  });

  it('turns thinking blocks into numbered thinking events', () => {
    const acc = new AnthropicEventAccumulator('c');
    const out = [
      { type: 'message_start', message: { id: 'm' } },
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Hm' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'S' } },
      { type: 'content_block_stop', index: 0 },
      {
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'redacted_thinking', data: 'ENC' },
      },
      { type: 'content_block_start', index: 2, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 2, delta: { type: 'text_delta', text: 'Hi' } },
    ].flatMap((e) => acc.push(e));
    expect(out.slice(1)).toEqual([
      { type: 'thinking', block: 0, thinking: 'Hm' },
      { type: 'thinking', block: 0, signature: 'S' },
      { type: 'thinking', block: 1, data: 'ENC' },
      { type: 'text', text: 'Hi' },
    ]);
  });

  it('sends thinking back first in the assistant turn, and the thinking config', () => {
    const body = toAnthropicBody(
      req({
        params: { thinking: { type: 'enabled', budget_tokens: 1024 } },
        messages: [
          { role: 'user', content: 'hi' },
          {
            role: 'assistant',
            content: 'ok',
            thinking: [
              { type: 'thinking', thinking: 'Hm', signature: 'S' },
              { type: 'redacted_thinking', data: 'ENC' },
            ],
          },
        ],
      }),
    );
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
    expect(body.messages[1].content).toEqual([
      { type: 'thinking', thinking: 'Hm', signature: 'S' },
      { type: 'redacted_thinking', data: 'ENC' },
      { type: 'text', text: 'ok' },
    ]);
  });

  it('puts the matched stop sequence on the finish event', () => {
    const acc = new AnthropicEventAccumulator('c');
    [
      { type: 'message_start', message: { id: 'm', usage: { input_tokens: 3 } } },
      {
        type: 'message_delta',
        delta: { stop_reason: 'stop_sequence', stop_sequence: '###' },
        usage: { output_tokens: 2, cache_creation_input_tokens: 7 },
      },
      { type: 'message_stop' },
    ].forEach((e) => acc.push(e));
    const [finish, usage] = acc.end();
    expect(finish).toEqual({ type: 'finish', finish_reason: 'stop', stop_sequence: '###' });
    expect(usage).toMatchObject({ usage: { input_tokens: 10, cache_write_tokens: 7 } });
  });

  it('refuses a stream that ends before message_stop', () => {
    const acc = new AnthropicEventAccumulator('c');
    acc.push({ type: 'message_start', message: { id: 'm' } });
    expect(() => acc.end()).toThrow(expect.objectContaining({ kind: 'malformed' }));
  });
});
