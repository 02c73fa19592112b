import { DEFAULT_MAX_OUTPUT_TOKENS, estimateTokens, requestedModel } from './token-estimate';

describe('estimateTokens', () => {
  const messages = [
    { role: 'system', content: 'x'.repeat(40) },
    { role: 'user', content: [{ type: 'text', text: 'y'.repeat(20) }, { type: 'image_url' }] },
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ function: { name: 'abcd', arguments: '{"q":1}' } }],
    },
  ];

  it('counts characters / 4 over messages plus the request max output', () => {
    // 40 + 20 + 4 + 7 = 71 chars -> 18 tokens
    expect(estimateTokens({ messages, max_tokens: 100 })).toBe(118);
    expect(estimateTokens({ messages, max_completion_tokens: 50, max_tokens: 100 })).toBe(68);
  });

  it('falls back to the agent, the catalog, then a default for the output', () => {
    const body = { user: 'z'.repeat(8) };
    expect(estimateTokens(body, { promptChars: 12, agentMaxTokens: 300 })).toBe(5 + 300);
    expect(
      estimateTokens({ ...body, configuration: { max_tokens: 10 } }, { agentMaxTokens: 300 }),
    ).toBe(12);
    expect(estimateTokens(body, { catalogMaxOutput: 16_384 })).toBe(2 + 16_384);
    expect(estimateTokens(body, { catalogMaxOutput: 0 })).toBe(2 + DEFAULT_MAX_OUTPUT_TOKENS);
  });

  it('reads a malformed body defensively', () => {
    for (const body of [null, 'text', [], { messages: 'no' }, { messages: [null, 7] }]) {
      expect(estimateTokens(body)).toBe(DEFAULT_MAX_OUTPUT_TOKENS);
    }
    expect(estimateTokens({ max_tokens: -5 })).toBe(DEFAULT_MAX_OUTPUT_TOKENS);
  });

  it('counts an embeddings request by its input alone (embeddings produce no output)', () => {
    expect(estimateTokens({ model: 'openai/e', input: 'x'.repeat(40) })).toBe(10);
    expect(estimateTokens({ input: ['abcd', 'abcdefgh'] })).toBe(1 + 2);
    expect(estimateTokens({ input: [1, 2, 3] })).toBe(3);
    expect(estimateTokens({ input: [[1, 2], [3]] })).toBe(3);
    expect(estimateTokens({ input: { bad: true } })).toBe(0);
  });

  it('reads the service and model of a model reference', () => {
    expect(requestedModel({ model: 'openrouter/meta/llama' })).toEqual({
      service: 'openrouter',
      model: 'meta/llama',
    });
    expect(requestedModel({ model: 'gpt-4o' })).toBeUndefined();
    expect(requestedModel({ model: 7 })).toBeUndefined();
  });
});
