import type { ChatRequest, EmbeddingRequest, EmbeddingResult } from '../../provider.types';
import type { AdapterContext } from '../provider-adapter';
import { OpenAICompatibleAdapter } from './openai-compatible.adapter';
import type { EmbeddingWireBody } from './openai-compatible.embeddings';
import { isRecord } from '../../is-record';
import type { WireBody, WireToolCall } from './openai-compatible.wire';

/** Enough for the tool loops in flight on one instance; old entries fall out first. */
const MAX_SIGNATURES = 5000;

/**
 * Gemini through its OpenAI-compatible endpoint (`/v1beta/openai`). Quirks handled:
 * - `user` and `parallel_tool_calls` are not part of its request schema (parallel calls are
 *   always on), so they are not sent;
 * - streamed tool-call deltas may lack `index` and a tool-call turn may end with "stop"
 *   (both normalised by the shared stream accumulator);
 * - Gemini 3 models attach `extra_content.google.thought_signature` to tool calls and expect it
 *   back on the next request. Our canonical ToolCall has no room for it, so signatures are
 *   remembered here by tool-call id and re-attached when that call is sent back.
 */
export class GeminiAdapter extends OpenAICompatibleAdapter {
  static readonly info = {
    name: 'gemini',
    label: 'Google Gemini',
    defaultBaseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai',
  } as const;
  private readonly signatures = new Map<string, unknown>();

  protected override adjustBody(body: WireBody, _req: ChatRequest): WireBody {
    const { user: _u, parallel_tool_calls: _p, ...rest } = body;
    return rest;
  }

  /** Its embeddings schema has no `user` either. */
  protected override adjustEmbeddingBody(body: EmbeddingWireBody): EmbeddingWireBody {
    const { user: _u, ...rest } = body;
    return rest;
  }

  override inspectToolCall(raw: Record<string, unknown>, id: string | undefined): void {
    const google = isRecord(raw.extra_content) ? raw.extra_content.google : undefined;
    if (!id || !isRecord(google) || google.thought_signature === undefined) return;
    this.signatures.set(id, google.thought_signature);
    if (this.signatures.size > MAX_SIGNATURES) {
      const oldest = this.signatures.keys().next().value;
      if (oldest !== undefined) this.signatures.delete(oldest);
    }
  }

  override decorateToolCall(call: WireToolCall): WireToolCall {
    const signature = this.signatures.get(call.id);
    return signature === undefined
      ? call
      : { ...call, extra_content: { google: { thought_signature: signature } } };
  }

  override embed(req: EmbeddingRequest, ctx: AdapterContext): Promise<EmbeddingResult> {
    return this.embedOverWire(req, ctx);
  }
}
