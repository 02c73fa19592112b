import type { EmbeddingRequest, EmbeddingResult } from '../../provider.types';
import type { AdapterContext } from '../provider-adapter';
import { OpenAICompatibleAdapter } from './openai-compatible.adapter';

/**
 * Any server that speaks OpenAI's chat completions: vLLM, Ollama, LM Studio, llama.cpp, DeepSeek,
 * a LiteLLM proxy. It has no public endpoint, so `OPENAI_COMPATIBLE_BASE_URL` (its `/v1` root) or
 * an org key's `base_url` is required; the key is optional (local servers need none). Models are
 * `openai-compatible/<the server's model id>`, passed through unpriced unless the catalog lists
 * them. The plain dialect: `system` role, `max_tokens`, usage asked for at the end of streams.
 */
export class GenericOpenAICompatibleAdapter extends OpenAICompatibleAdapter {
  static readonly info = { name: 'openai-compatible', label: 'OpenAI-compatible server' } as const;

  override embed(req: EmbeddingRequest, ctx: AdapterContext): Promise<EmbeddingResult> {
    return this.embedOverWire(req, ctx);
  }
}
