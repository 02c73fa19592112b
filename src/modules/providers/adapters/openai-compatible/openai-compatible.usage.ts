import type { FinishReason, Usage } from '../../provider.types';
import { count, record } from '../usage';

/**
 * OpenAI-shape usage (also Groq, Mistral, Gemini, OpenRouter). `prompt_tokens` already includes
 * cached tokens, so `cached_tokens` is a subset of `input_tokens`, as it is in our Usage.
 * OpenRouter reports its own charge in `cost`; it is kept so unknown models can still be priced,
 * and its cache writes in `prompt_tokens_details.cache_write_tokens` (a part of prompt_tokens).
 */
export function usageFromOpenAI(raw: unknown): Usage {
  const u = record(raw);
  const input = count(u.prompt_tokens);
  const reported = count(u.completion_tokens);
  const reasoning = count(record(u.completion_tokens_details).reasoning_tokens);
  const total = count(u.total_tokens);
  // OpenAI counts reasoning inside completion_tokens (total = prompt + completion). Some
  // OpenAI-compatible services (Gemini's thoughtsTokenCount) leave it out of completion_tokens
  // yet in total_tokens; the total tells the two apart, and reasoning is billed as output.
  const output =
    reasoning > 0 && total >= input + reported + reasoning ? reported + reasoning : reported;
  const cost = typeof u.cost === 'number' && Number.isFinite(u.cost) ? u.cost : null;
  const prompt = record(u.prompt_tokens_details);
  // OpenRouter names the cache writes of the models that bill them (Claude) here.
  const cacheWrite = count(prompt.cache_write_tokens);
  return {
    input_tokens: input,
    output_tokens: output,
    total_tokens: Math.max(total, input + output),
    cached_tokens: count(prompt.cached_tokens),
    ...(cacheWrite ? { cache_write_tokens: cacheWrite } : {}),
    reasoning_tokens: reasoning,
    cost_usd: cost,
  };
}

/** OpenAI-compatible finish reasons, including the variants some services use. */
export function finishFromOpenAI(reason: unknown): FinishReason {
  switch (reason) {
    case 'length':
    case 'max_tokens':
    case 'model_length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}
