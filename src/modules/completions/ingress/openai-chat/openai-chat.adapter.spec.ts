import type { CompletionOutcome } from '../../pipeline/completion-job';
import { openAiStreamFormat, toChatCompletion } from './openai-chat.adapter';

const usage = {
  input_tokens: 5,
  output_tokens: 12,
  total_tokens: 17,
  cached_tokens: 0,
  reasoning_tokens: 0,
  cost_usd: 0.001,
};

const outcome: CompletionOutcome = {
  id: 'up-1',
  service: 'openai',
  model: 'gpt-4o-mini',
  content: 'zero',
  tool_calls: [],
  finish_reason: 'stop',
  alternatives: [
    { index: 1, content: 'one', tool_calls: [], finish_reason: 'length' },
    {
      index: 2,
      content: null,
      tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{}' } }],
      finish_reason: 'tool_calls',
    },
  ],
  tool_runs: [],
  usage,
  created: 9,
  rounds: 1,
  cached: false,
  produced: [],
};

describe('OpenAI chat ingress with several choices', () => {
  it('lists choice 0 then the alternatives under their indexes, with the total usage', () => {
    const body = toChatCompletion(outcome, 'chatcmpl-x');
    expect(body.choices).toEqual([
      {
        index: 0,
        message: { role: 'assistant', content: 'zero', refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
      {
        index: 1,
        message: { role: 'assistant', content: 'one', refusal: null },
        logprobs: null,
        finish_reason: 'length',
      },
      {
        index: 2,
        message: {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      },
    ]);
    expect(body.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 12, total_tokens: 17 });
  });

  it('streams each choice under its index: a role chunk, deltas, a finish chunk each', () => {
    const format = openAiStreamFormat('chatcmpl-s', true);
    const chunks = [
      format.map({ type: 'start', id: 'up', service: 'openai', model: 'gpt-4o-mini', created: 9 }),
      format.map({ type: 'text', text: 'ze' }),
      format.map({ type: 'text', text: 'on', choice: 1 }),
      format.map({ type: 'text', text: 'ro' }),
      format.map({ type: 'text', text: 'e', choice: 1 }),
      format.map({
        type: 'done',
        outcome: { ...outcome, alternatives: (outcome.alternatives ?? []).slice(0, 1) },
      }),
    ].flat() as Array<{
      choices: Array<{
        index: number;
        delta: { content?: string; role?: string };
        finish_reason: string | null;
      }>;
      usage?: unknown;
    }>;
    const of = (i: number) => chunks.flatMap((c) => c.choices).filter((c) => c.index === i);
    expect(of(0).map((c) => c.delta.content ?? null)).toEqual(['', 'ze', 'ro', null]);
    expect(of(1).map((c) => c.delta.content ?? null)).toEqual(['', 'on', 'e', null]);
    expect(of(0)[0].delta.role).toBe('assistant');
    expect(of(1)[0].delta.role).toBe('assistant');
    expect(of(0).at(-1)?.finish_reason).toBe('stop');
    expect(of(1).at(-1)?.finish_reason).toBe('length');
    const last = chunks[chunks.length - 1];
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ completion_tokens: 12 });
  });
});
