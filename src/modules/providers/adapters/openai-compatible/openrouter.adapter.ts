import type { EmbeddingRequest, EmbeddingResult } from '../../provider.types';
import type { AdapterContext } from '../provider-adapter';
import { OpenAICompatibleAdapter } from './openai-compatible.adapter';

/**
 * App attribution (openrouter.ai/docs/app-attribution): `HTTP-Referer` identifies the app,
 * `X-OpenRouter-Title` names it; `X-Title` is the older name, still read, so both are sent.
 */
export const OPENROUTER_ATTRIBUTION = {
  // Placeholder until the deployment's public URL is configurable.
  referer: 'https://ai-middleware.invalid',
  title: 'AI Middleware',
};

/** OpenRouter: OpenAI dialect plus attribution headers; any `vendor/model` id is routable. */
export class OpenRouterAdapter extends OpenAICompatibleAdapter {
  static readonly info = {
    name: 'openrouter',
    label: 'OpenRouter',
    defaultBaseUrl: 'https://openrouter.ai/api/v1',
  } as const;

  /** OpenRouter forwards Anthropic's (and Gemini's) cache breakpoints on content parts. */
  override cacheControl = true;

  protected override defaultHeaders(): Record<string, string> {
    return {
      'HTTP-Referer': OPENROUTER_ATTRIBUTION.referer,
      'X-OpenRouter-Title': OPENROUTER_ATTRIBUTION.title,
      'X-Title': OPENROUTER_ATTRIBUTION.title,
    };
  }

  override embed(req: EmbeddingRequest, ctx: AdapterContext): Promise<EmbeddingResult> {
    return this.embedOverWire(req, ctx);
  }
}
