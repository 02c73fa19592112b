import type { ChatRequest } from '../../provider.types';
import { OpenAICompatibleAdapter } from './openai-compatible.adapter';
import { isRecord } from '../../is-record';
import type { WireBody } from './openai-compatible.wire';

/**
 * Groq (console.groq.com/docs/openai): `logprobs`, `logit_bias`, `top_logprobs` and
 * `messages[].name` are answered with a 400, and `n` must be 1. Streams carry usage in the
 * final chunk when asked (and in `x_groq.usage` on older deployments).
 */
export class GroqAdapter extends OpenAICompatibleAdapter {
  static readonly info = {
    name: 'groq',
    label: 'Groq',
    defaultBaseUrl: 'https://api.groq.com/openai/v1',
  } as const;
  override dropNames = true;
  override maxTokensField = 'max_completion_tokens' as const;

  protected override adjustBody(body: WireBody, _req: ChatRequest): WireBody {
    const { logprobs: _l, top_logprobs: _t, logit_bias: _b, n: _n, ...rest } = body;
    return rest;
  }

  override chunkUsage(chunk: Record<string, unknown>): unknown {
    return isRecord(chunk.x_groq) ? chunk.x_groq.usage : undefined;
  }
}
