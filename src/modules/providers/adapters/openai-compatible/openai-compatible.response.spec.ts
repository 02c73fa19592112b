import type { StreamEvent } from '../../provider.types';
import {
  ChunkAccumulator,
  parseCompletion,
  type ResponseDialect,
} from './openai-compatible.response';

const plain: ResponseDialect = { inspectToolCall: () => {}, chunkUsage: () => undefined };

function run(chunks: unknown[], dialect: ResponseDialect = plain): StreamEvent[] {
  const acc = new ChunkAccumulator('gemini', 'gemini-2.5-flash', dialect);
  return [...chunks.flatMap((c) => acc.push(c)), ...acc.end()];
}

describe('ChunkAccumulator', () => {
  it('gives indexes to tool-call deltas that have none (Gemini) and reports tool_calls, not stop', () => {
    const events = run([
      { id: 'c1', created: 5, choices: [{ index: 0, delta: { role: 'assistant' } }] },
      {
        choices: [
          {
            delta: {
              tool_calls: [
                { id: 'a', type: 'function', function: { name: 'f', arguments: '{"x"' } },
              ],
            },
          },
        ],
      },
      { choices: [{ delta: { tool_calls: [{ function: { arguments: ':1}' } }] } }] },
      {
        choices: [
          {
            delta: {
              tool_calls: [{ id: 'b', type: 'function', function: { name: 'g', arguments: '{}' } }],
            },
          },
        ],
      },
      { choices: [{ delta: {}, finish_reason: 'stop' }] },
    ]);
    expect(events).toEqual([
      { type: 'start', id: 'c1', service: 'gemini', model: 'gemini-2.5-flash', created: 5 },
      { type: 'tool_call', index: 0, id: 'a', name: 'f', arguments: '{"x"' },
      { type: 'tool_call', index: 0, arguments: ':1}' },
      { type: 'tool_call', index: 1, id: 'b', name: 'g', arguments: '{}' },
      { type: 'finish', finish_reason: 'tool_calls' },
      { type: 'usage', usage: expect.objectContaining({ input_tokens: 0 }) },
    ]);
  });

  it('takes usage from the final choices-less chunk, or from x_groq', () => {
    const usage = {
      prompt_tokens: 10,
      completion_tokens: 5,
      total_tokens: 15,
      prompt_tokens_details: { cached_tokens: 4 },
    };
    const a = run([
      { choices: [{ delta: { content: 'hi' }, finish_reason: 'length' }] },
      { choices: [], usage },
    ]);
    expect(a.slice(-2)).toEqual([
      { type: 'finish', finish_reason: 'length' },
      {
        type: 'usage',
        usage: {
          input_tokens: 10,
          output_tokens: 5,
          total_tokens: 15,
          cached_tokens: 4,
          reasoning_tokens: 0,
          cost_usd: null,
        },
      },
    ]);
    const groq: ResponseDialect = {
      ...plain,
      chunkUsage: (c) => (c.x_groq as { usage: unknown }).usage,
    };
    const b = run([{ choices: [{ delta: {}, finish_reason: 'stop' }], x_groq: { usage } }], groq);
    expect(b[b.length - 1]).toMatchObject({ usage: { input_tokens: 10 } });
  });

  it('refuses a stream that ends without a finish_reason', () => {
    const acc = new ChunkAccumulator('openai', 'm', plain);
    acc.push({ choices: [{ delta: { content: 'partial' } }] });
    expect(() => acc.end()).toThrow(expect.objectContaining({ kind: 'malformed' }));
  });

  it('forwards the chunks of every choice (n > 1), tagged with their choice, and finishes each', () => {
    const usage = { prompt_tokens: 4, completion_tokens: 9, total_tokens: 13 };
    const events = run([
      { id: 'c2', created: 7, choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] },
      { choices: [{ index: 1, delta: { role: 'assistant', content: '' } }] },
      { choices: [{ index: 0, delta: { content: 'A' } }] },
      { choices: [{ index: 1, delta: { content: 'B' } }] },
      {
        choices: [
          {
            index: 2,
            delta: {
              tool_calls: [{ index: 0, id: 'k', function: { name: 'f', arguments: '{}' } }],
            },
          },
        ],
      },
      { choices: [{ index: 1, delta: {}, finish_reason: 'length' }] },
      { choices: [{ index: 2, delta: {}, finish_reason: 'stop' }] },
      { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
      { choices: [], usage },
    ]);
    expect(events).toEqual([
      { type: 'start', id: 'c2', service: 'gemini', model: 'gemini-2.5-flash', created: 7 },
      { type: 'text', text: 'A' },
      { type: 'text', text: 'B', choice: 1 },
      { type: 'tool_call', index: 0, id: 'k', name: 'f', arguments: '{}', choice: 2 },
      { type: 'finish', finish_reason: 'stop' },
      { type: 'finish', finish_reason: 'length', choice: 1 },
      { type: 'finish', finish_reason: 'tool_calls', choice: 2 },
      // The usage chunk covers every choice: it is passed on once, as the upstream's total.
      { type: 'usage', usage: expect.objectContaining({ output_tokens: 9, total_tokens: 13 }) },
    ]);
  });

  it('keeps tool-call indexes apart per choice', () => {
    const events = run([
      { choices: [{ index: 0, delta: { tool_calls: [{ id: 'a', function: { name: 'f' } }] } }] },
      { choices: [{ index: 1, delta: { tool_calls: [{ id: 'b', function: { name: 'g' } }] } }] },
      { choices: [{ index: 1, delta: { tool_calls: [{ id: 'c', function: { name: 'h' } }] } }] },
      { choices: [{ index: 0, finish_reason: 'tool_calls' }] },
    ]);
    const calls = events.filter((e) => e.type === 'tool_call');
    expect(calls.map((e) => e.type === 'tool_call' && [e.choice, e.index])).toEqual([
      [undefined, 0],
      [1, 0],
      [1, 1],
    ]);
  });

  it('refuses chunks that are not objects', () => {
    const acc = new ChunkAccumulator('openai', 'm', plain);
    expect(() => acc.push('garbage')).toThrow(
      expect.objectContaining({ code: 'PROVIDER_ERROR', kind: 'malformed' }),
    );
  });
});

describe('parseCompletion', () => {
  it('joins array content (Mistral reasoning models) and maps usage details', () => {
    const r = parseCompletion(
      {
        id: 'x',
        created: 1,
        choices: [
          {
            message: {
              content: [
                { type: 'thinking', thinking: [] },
                { type: 'text', text: 'Hi' },
              ],
            },
            finish_reason: 'stop',
          },
        ],
        usage: {
          prompt_tokens: 3,
          completion_tokens: 7,
          completion_tokens_details: { reasoning_tokens: 5 },
        },
      },
      'mistral',
      'magistral',
      plain,
    );
    expect(r).toMatchObject({
      content: 'Hi',
      finish_reason: 'stop',
      usage: { output_tokens: 7, reasoning_tokens: 5, total_tokens: 10 },
    });
  });

  it('reports tool_calls when calls came back with "stop"', () => {
    const r = parseCompletion(
      {
        choices: [
          {
            message: {
              content: null,
              tool_calls: [{ id: 't', function: { name: 'f', arguments: '{}' } }],
            },
            finish_reason: 'stop',
          },
        ],
      },
      'openai',
      'm',
      plain,
    );
    expect(r.finish_reason).toBe('tool_calls');
    expect(r.tool_calls).toEqual([
      { id: 't', type: 'function', function: { name: 'f', arguments: '{}' } },
    ]);
  });

  it('maps every choice of an n > 1 answer: choice 0 is the result, the others alternatives', () => {
    const r = parseCompletion(
      {
        id: 'multi',
        created: 2,
        choices: [
          // Listed out of order on purpose: the index decides, not the position.
          { index: 2, message: { content: 'two' }, finish_reason: 'length' },
          { index: 0, message: { content: 'zero' }, finish_reason: 'stop' },
          {
            index: 1,
            message: {
              content: null,
              tool_calls: [{ id: 't1', function: { name: 'f', arguments: '{}' } }],
            },
            finish_reason: 'stop',
          },
        ],
        usage: { prompt_tokens: 5, completion_tokens: 30, total_tokens: 35 },
      },
      'openai',
      'gpt-4o-mini',
      plain,
    );
    expect(r).toMatchObject({
      content: 'zero',
      tool_calls: [],
      finish_reason: 'stop',
      usage: { input_tokens: 5, output_tokens: 30, total_tokens: 35 },
    });
    expect(r.alternatives).toEqual([
      {
        index: 1,
        content: null,
        tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{}' } }],
        finish_reason: 'tool_calls',
      },
      { index: 2, content: 'two', tool_calls: [], finish_reason: 'length' },
    ]);
  });

  it('leaves alternatives out of a single-choice answer', () => {
    const r = parseCompletion(
      { choices: [{ message: { content: 'one' }, finish_reason: 'stop' }] },
      'openai',
      'm',
      plain,
    );
    expect(r).not.toHaveProperty('alternatives');
  });

  it.each([
    [null],
    [{}],
    [{ choices: [] }],
    [{ choices: [{ message: { tool_calls: 'x' } }] }],
    [{ choices: [{ message: { content: 'ok' } }, 'not a choice'] }],
    [{ choices: [{ message: { content: 'ok' } }, { index: 1 }] }],
  ])('refuses malformed bodies: %j', (body) => {
    expect(() => parseCompletion(body, 'openai', 'm', plain)).toThrow(
      expect.objectContaining({ kind: 'malformed' }),
    );
  });
});
