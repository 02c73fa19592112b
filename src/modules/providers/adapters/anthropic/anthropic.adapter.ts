import Anthropic from '@anthropic-ai/sdk';
import type { ClientPool } from '../../client-pool';
import { abortedError } from '../../errors/provider-error';
import type { ChatRequest, ChatResult, StreamEvent } from '../../provider.types';
import {
  type AdapterContext,
  clientKey,
  ProviderAdapter,
  type WireFormat,
} from '../provider-adapter';
import { translateAnthropicError } from './anthropic.errors';
import {
  ANTHROPIC_SAMPLING_API_VERSION,
  toAnthropicBody,
  usesSamplingParams,
} from './anthropic.request';
import { AnthropicEventAccumulator, parseMessage } from './anthropic.response';

/**
 * Anthropic's Messages API through `@anthropic-ai/sdk`. The base URL is the API root (the SDK
 * appends `/v1/messages`). Request and response translation live in `anthropic.request.ts` and
 * `anthropic.response.ts`.
 */
export class AnthropicAdapter extends ProviderAdapter {
  static readonly wire: WireFormat = 'anthropic-messages';
  static readonly info = {
    name: 'anthropic',
    label: 'Anthropic',
    defaultBaseUrl: 'https://api.anthropic.com',
  } as const;

  constructor(private readonly pool: ClientPool) {
    super();
  }

  /** The exact body this adapter would send; exposed for unit tests. */
  buildBody(req: ChatRequest): Anthropic.MessageCreateParamsNonStreaming {
    return toAnthropicBody(req);
  }

  async complete(req: ChatRequest, ctx: AdapterContext): Promise<ChatResult> {
    const body = this.buildBody(req);
    let raw: unknown;
    try {
      raw = await this.client(ctx).messages.create(body, this.options(ctx, body));
    } catch (err) {
      throw translateAnthropicError(this.service, err, ctx);
    }
    return parseMessage(raw, req.model);
  }

  async *stream(req: ChatRequest, ctx: AdapterContext): AsyncGenerator<StreamEvent> {
    const body = this.buildBody(req);
    const acc = new AnthropicEventAccumulator(req.model);
    try {
      const events = await this.client(ctx).messages.create(
        { ...body, stream: true },
        this.options(ctx, body),
      );
      for await (const event of events as AsyncIterable<unknown>) {
        for (const out of acc.push(event)) yield out;
      }
    } catch (err) {
      throw translateAnthropicError(this.service, err, ctx);
    }
    // The SDK ends the iteration quietly when its request is aborted: that is not a success.
    if (ctx.signal.aborted) throw abortedError(this.service);
    yield* acc.end();
  }

  private client(ctx: AdapterContext): Anthropic {
    return this.pool.get(
      clientKey('anthropic', this.service, ctx),
      (conn) =>
        new Anthropic({
          ...conn,
          logLevel: 'off',
          // No spans: the gateway has its own metrics and must not export prompts anywhere.
          openTelemetry: false,
        }),
    );
  }

  private options(ctx: AdapterContext, body: object) {
    // An explicit timeout also stops the SDK refusing large non-streamed max_tokens.
    const base = { signal: ctx.signal, timeout: ctx.timeoutMs, maxRetries: 0 };
    return usesSamplingParams(body)
      ? { ...base, headers: { 'anthropic-version': ANTHROPIC_SAMPLING_API_VERSION } }
      : base;
  }
}
