import type { FinishReason, Usage } from '../../provider.types';
import { count, record } from '../usage';

/**
 * OpenAI-shape usage (also Groq, Mistral, Gemini, OpenRouter). `prompt_tokens` already includes
 * cached tokens, so `cached_tokens` is a subset of `input_tokens`, as it is in our Usage.
 * OpenRouter reports its own charge in `cost`; it is kept so unknown models can still be priced.
 */
export function usageFromOpenAI(raw: unknown): Usage {
  const u = record(raw);
  const input = count(u.prompt_tokens);
  const output = count(u.completion_tokens);
  const cost = typeof u.cost === 'number' && Number.isFinite(u.cost) ? u.cost : null;
  return {
    input_tokens: input,
    output_tokens: output,
    total_tokens: Math.max(count(u.total_tokens), input + output),
    cached_tokens: count(record(u.prompt_tokens_details).cached_tokens),
    reasoning_tokens: count(record(u.completion_tokens_details).reasoning_tokens),
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
