import { OpenAICompatibleAdapter } from './openai-compatible.adapter';

/** OpenAI itself: the reference dialect. */
export class OpenAIAdapter extends OpenAICompatibleAdapter {
  readonly service = 'openai' as const;
  readonly defaultBaseUrl = 'https://api.openai.com/v1';
  override developerRole = true;
  // `max_tokens` is deprecated and rejected by the o-series and GPT-5 reasoning models.
  override maxTokensField = 'max_completion_tokens' as const;
}
