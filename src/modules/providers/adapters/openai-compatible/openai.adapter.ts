import type { EmbeddingRequest, EmbeddingResult } from '../../provider.types';
import type { AdapterContext } from '../provider-adapter';
import { OpenAICompatibleAdapter } from './openai-compatible.adapter';

/** OpenAI itself: the reference dialect. */
export class OpenAIAdapter extends OpenAICompatibleAdapter {
  static readonly info = {
    name: 'openai',
    label: 'OpenAI',
    defaultBaseUrl: 'https://api.openai.com/v1',
  } as const;
  override developerRole = true;
  // `max_tokens` is deprecated and rejected by the o-series and GPT-5 reasoning models.
  override maxTokensField = 'max_completion_tokens' as const;

  override embed(req: EmbeddingRequest, ctx: AdapterContext): Promise<EmbeddingResult> {
    return this.embedOverWire(req, ctx);
  }
}
