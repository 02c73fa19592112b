import OpenAI from 'openai';
import type { ClientPool } from '../../client-pool';
import { abortedError, malformedError } from '../../errors/provider-error';
import { SseReader } from '../../http/sse-reader';
import { isRecord } from '../../is-record';
import type {
  ChatRequest,
  ChatResult,
  EmbeddingRequest,
  EmbeddingResult,
  StreamEvent,
} from '../../provider.types';
import {
  type AdapterContext,
  clientKey,
  ProviderAdapter,
  type WireFormat,
} from '../provider-adapter';
import {
  buildEmbeddingBody,
  type EmbeddingWireBody,
  inputCount,
  parseEmbeddings,
} from './openai-compatible.embeddings';
import { translateOpenAIError } from './openai-compatible.errors';
import { buildWireBody, type RequestDialect } from './openai-compatible.request';
import {
  ChunkAccumulator,
  parseCompletion,
  type ResponseDialect,
} from './openai-compatible.response';
import type { WireBody, WireToolCall } from './openai-compatible.wire';

type CreateParams = OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;
type CreateStreamParams = OpenAI.Chat.ChatCompletionCreateParamsStreaming;

/**
 * Base for every service reached through the `openai` SDK (the chat-completions wire format).
 * Subclasses carry their service list entry (`static info`: name, label, default base URL) and
 * override the small hooks below for their quirks; the HTTP call, error mapping, response
 * parsing and streaming live here once.
 */
export abstract class OpenAICompatibleAdapter
  extends ProviderAdapter
  implements RequestDialect, ResponseDialect
{
  static readonly wire: WireFormat = 'openai-chat';

  developerRole = false;
  maxTokensField: RequestDialect['maxTokensField'] = 'max_tokens';
  streamUsage = true;
  dropNames = false;
  cacheControl = false;

  constructor(protected readonly pool: ClientPool) {
    super();
  }

  /** Headers sent on every request to this service (OpenRouter's attribution headers). */
  protected defaultHeaders(): Record<string, string> {
    return {};
  }

  /** Last chance to drop or rename fields the service rejects. */
  protected adjustBody(body: WireBody, _req: ChatRequest): WireBody {
    return body;
  }

  /** Last chance to drop or rename `/embeddings` fields the service rejects. */
  protected adjustEmbeddingBody(body: EmbeddingWireBody): EmbeddingWireBody {
    return body;
  }

  /** The exact `/embeddings` body this adapter would send; exposed for unit tests. */
  buildEmbeddingBody(req: EmbeddingRequest): EmbeddingWireBody {
    return this.adjustEmbeddingBody(buildEmbeddingBody(req));
  }

  toolCallId(id: string): string {
    return id;
  }

  decorateToolCall(call: WireToolCall): WireToolCall {
    return call;
  }

  inspectToolCall(_raw: Record<string, unknown>, _id: string | undefined): void {}

  chunkUsage(_chunk: Record<string, unknown>): unknown {
    return undefined;
  }

  /** The exact body this adapter would send; exposed for unit tests of each service's quirks. */
  buildBody(req: ChatRequest, stream: boolean): WireBody {
    return this.adjustBody(buildWireBody(req, stream, this), req);
  }

  async complete(req: ChatRequest, ctx: AdapterContext): Promise<ChatResult> {
    const client = this.client(ctx);
    let raw: unknown;
    try {
      // The SDK's types do not know every service's extra fields; it sends the body as given.
      raw = await client.chat.completions.create(
        this.buildBody(req, false) as unknown as CreateParams,
        {
          signal: ctx.signal,
          timeout: ctx.timeoutMs,
          maxRetries: 0,
        },
      );
    } catch (err) {
      throw translateOpenAIError(this.service, err, ctx);
    }
    return parseCompletion(raw, this.service, req.model, this);
  }

  async *stream(req: ChatRequest, ctx: AdapterContext): AsyncGenerator<StreamEvent> {
    const client = this.client(ctx);
    const acc = new ChunkAccumulator(this.service, req.model, this);
    try {
      // The SDK sends the request and turns error statuses into its errors; the event stream
      // itself is read here (see SseReader for why), with the SDK's rules: `[DONE]` ends it, a
      // chunk carrying `error` is the service's error, anything else must be a JSON chunk.
      const response = await client.chat.completions
        .create(this.buildBody(req, true) as unknown as CreateStreamParams, {
          signal: ctx.signal,
          timeout: ctx.timeoutMs,
          maxRetries: 0,
        })
        .asResponse();
      const body = response.body as unknown as AsyncIterable<Uint8Array> | null;
      if (!body) throw malformedError(this.service, 'the stream has no body');
      const reader = new SseReader();
      let done = false;
      // Leaving this loop early (the consumer stopped) closes the body, which ends the request.
      for await (const bytes of body) {
        for (const message of reader.push(bytes)) {
          if (done) continue;
          if (message.data.startsWith('[DONE]')) {
            done = true;
            continue;
          }
          const chunk = JSON.parse(message.data) as unknown;
          if (isRecord(chunk) && chunk.error) {
            throw new OpenAI.APIError(undefined, chunk.error, undefined, response.headers);
          }
          for (const event of acc.push(chunk)) yield event;
        }
      }
    } catch (err) {
      throw translateOpenAIError(this.service, err, ctx);
    }
    // An aborted request can end its body quietly: that is not a success.
    if (ctx.signal.aborted) throw abortedError(this.service);
    yield* acc.end();
  }

  /**
   * The `/embeddings` call, for the services that offer one: each declares `embed()` calling
   * this (Groq has none, so a request for it is refused before any call).
   */
  protected async embedOverWire(
    req: EmbeddingRequest,
    ctx: AdapterContext,
  ): Promise<EmbeddingResult> {
    let raw: unknown;
    try {
      // `encoding_format: "float"` is explicit, so the SDK returns the vectors as sent.
      raw = await this.client(ctx).embeddings.create(this.buildEmbeddingBody(req), {
        signal: ctx.signal,
        timeout: ctx.timeoutMs,
        maxRetries: 0,
      });
    } catch (err) {
      throw translateOpenAIError(this.service, err, ctx);
    }
    return parseEmbeddings(raw, this.service, req.model, inputCount(req.input));
  }

  private client(ctx: AdapterContext): OpenAI {
    return this.pool.get(
      clientKey('openai', this.service, ctx),
      (conn) =>
        new OpenAI({
          ...conn,
          defaultHeaders: this.defaultHeaders(),
          // The SDK would log raw upstream chunks on parse errors; we report errors ourselves.
          logLevel: 'off',
        }),
    );
  }
}
