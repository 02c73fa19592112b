import { createHash } from 'node:crypto';
import type { ChatRequest, EmbeddingRequest, EmbeddingResult } from '../../provider.types';
import type { AdapterContext } from '../provider-adapter';
import { OpenAICompatibleAdapter } from './openai-compatible.adapter';
import type { EmbeddingWireBody } from './openai-compatible.embeddings';
import type { WireBody } from './openai-compatible.wire';

const MISTRAL_ID = /^[a-zA-Z0-9]{9}$/;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Mistral rejects unknown fields ("Extra inputs are not permitted", 422), so only what it
 * documents is sent: `seed` is `random_seed`, there is no `stream_options` (usage comes in the
 * last chunk anyway) and no `user`. Tool-call ids must be exactly 9 alphanumerics, which ids
 * minted by other services are not, so they are rewritten deterministically (the assistant's
 * call and the tool result map to the same id).
 */
export class MistralAdapter extends OpenAICompatibleAdapter {
  static readonly info = {
    name: 'mistral',
    label: 'Mistral',
    defaultBaseUrl: 'https://api.mistral.ai/v1',
  } as const;
  override streamUsage = false;

  protected override adjustBody(body: WireBody, _req: ChatRequest): WireBody {
    const { seed, user: _user, stream_options: _so, ...rest } = body;
    const out: WireBody = rest;
    if (seed !== undefined) out.random_seed = seed;
    // "any" is Mistral's long-standing name for OpenAI's "required".
    if (out.tool_choice === 'required') out.tool_choice = 'any';
    return out;
  }

  /** `/embeddings` takes no `user`; OpenAI's `dimensions` is its `output_dimension`. */
  protected override adjustEmbeddingBody(body: EmbeddingWireBody): EmbeddingWireBody {
    const { user: _u, dimensions, ...rest } = body;
    const out: EmbeddingWireBody = rest;
    if (dimensions !== undefined) out.output_dimension = dimensions;
    return out;
  }

  override toolCallId(id: string): string {
    if (MISTRAL_ID.test(id)) return id;
    const digest = createHash('sha256').update(id).digest();
    let out = '';
    for (let i = 0; i < 9; i++) out += BASE62[digest[i] % BASE62.length];
    return out;
  }

  override embed(req: EmbeddingRequest, ctx: AdapterContext): Promise<EmbeddingResult> {
    return this.embedOverWire(req, ctx);
  }
}
