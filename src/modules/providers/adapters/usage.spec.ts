import { usageFromAnthropic } from './anthropic/anthropic.usage';
import { usageFromOpenAI } from './openai-compatible/openai-compatible.usage';

describe('usage normalisation for pricing', () => {
  it("adds Anthropic's cache reads and writes back into the input, 1-hour writes apart", () => {
    const u = usageFromAnthropic({
      input_tokens: 50,
      cache_read_input_tokens: 1000,
      cache_creation_input_tokens: 300,
      cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200 },
      output_tokens: 20,
    });
    expect(u).toEqual({
      input_tokens: 1350,
      output_tokens: 20,
      total_tokens: 1370,
      cached_tokens: 1000,
      cache_write_tokens: 300,
      cache_write_1h_tokens: 200,
      reasoning_tokens: 0,
      cost_usd: null,
    });
  });

  it('leaves 1-hour writes out when Anthropic reports only 5-minute ones', () => {
    const u = usageFromAnthropic({ input_tokens: 5, cache_creation_input_tokens: 10 });
    expect(u.cache_write_tokens).toBe(10);
    expect(u).not.toHaveProperty('cache_write_1h_tokens');
  });

  it("keeps OpenAI's reasoning inside completion_tokens (total = prompt + completion)", () => {
    const u = usageFromOpenAI({
      prompt_tokens: 100,
      completion_tokens: 90,
      total_tokens: 190,
      prompt_tokens_details: { cached_tokens: 64 },
      completion_tokens_details: { reasoning_tokens: 60 },
    });
    expect(u).toMatchObject({
      input_tokens: 100,
      cached_tokens: 64,
      output_tokens: 90,
      reasoning_tokens: 60,
      total_tokens: 190,
    });
  });

  it('adds reasoning to the output when the service counts it outside completion_tokens', () => {
    // Gemini's thoughtsTokenCount: in total_tokens, not in completion_tokens.
    const u = usageFromOpenAI({
      prompt_tokens: 21,
      completion_tokens: 30,
      total_tokens: 111,
      completion_tokens_details: { reasoning_tokens: 60 },
    });
    expect(u).toMatchObject({ output_tokens: 90, reasoning_tokens: 60, total_tokens: 111 });
  });

  it("reads OpenRouter's cache writes and its own charge", () => {
    const u = usageFromOpenAI({
      prompt_tokens: 194,
      completion_tokens: 2,
      total_tokens: 196,
      prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 100 },
      cost: 0.95,
    });
    expect(u).toMatchObject({ input_tokens: 194, cache_write_tokens: 100, cost_usd: 0.95 });
  });
});
