import type { NormalisedError } from '../../../../common/filters/error-envelope';
import type { ThinkingBlock, Usage } from '../../../providers';
import type { CompletionOutcome, PipelineEvent } from '../../pipeline/completion-job';
import type { StreamFormat } from '../sse/stream-response';

export type AnthropicStopReason =
  'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal';

type ContentBlock =
  | ThinkingBlock
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown };

/**
 * Canonical finish reasons in Anthropic's terms. A stop sequence is only named where the
 * provider says which one matched (Anthropic); OpenAI-style services do not, so theirs read
 * `end_turn`.
 */
export function stopReason(
  finish: CompletionOutcome['finish_reason'],
  stopSequence?: string,
): AnthropicStopReason {
  if (finish === 'stop' && stopSequence !== undefined) return 'stop_sequence';
  switch (finish) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

/**
 * Anthropic's usage: its `input_tokens` excludes cache reads and cache writes (the canonical
 * count includes both). Services without prompt-cache writes report 0 of them.
 */
export function anthropicUsage(u: Usage) {
  const writes = u.cache_write_tokens ?? 0;
  return {
    input_tokens: Math.max(u.input_tokens - u.cached_tokens - writes, 0),
    output_tokens: u.output_tokens,
    cache_creation_input_tokens: writes,
    cache_read_input_tokens: u.cached_tokens,
  };
}

/** Tool arguments as the object Anthropic's `input` is; a malformed string stays visible. */
function toolInput(args: string): unknown {
  if (args.trim() === '') return {};
  try {
    return JSON.parse(args) as unknown;
  } catch {
    return { _raw_arguments: args };
  }
}

/** A `message` object exactly as Anthropic returns it. */
export function toAnthropicMessage(o: CompletionOutcome, id: string, model: string) {
  const content: ContentBlock[] = [...(o.thinking ?? [])];
  if (o.content) content.push({ type: 'text', text: o.content });
  for (const c of o.tool_calls) {
    content.push({
      type: 'tool_use',
      id: c.id,
      name: c.function.name,
      input: toolInput(c.function.arguments),
    });
  }
  return {
    id,
    type: 'message' as const,
    role: 'assistant' as const,
    content,
    model,
    stop_reason: stopReason(o.finish_reason, o.stop_sequence),
    stop_sequence: o.stop_sequence ?? null,
    usage: anthropicUsage(o.usage),
  };
}

/**
 * Pipeline events as Anthropic's SSE events: `message_start` (empty content), a `ping`, then
 * per block `content_block_start` / `content_block_delta` (`text_delta`, `input_json_delta`) /
 * `content_block_stop` with indexes in order, then `message_delta` (stop reason and the full
 * usage, which is only known at the end) and `message_stop`. Server-side tool rounds of an
 * agent model stay invisible, as on the OpenAI route.
 */
export class AnthropicEventMapper {
  private open: { index: number; kind: 'text' | 'tool' | 'thinking'; block?: number } | undefined;
  private nextIndex = 0;
  /** Canonical tool-call index -> content block index. */
  private readonly toolBlocks = new Map<number, number>();

  constructor(
    private readonly id: string,
    private readonly model: string,
  ) {}

  map(e: PipelineEvent): object[] {
    switch (e.type) {
      case 'start':
        return [
          {
            type: 'message_start',
            message: {
              id: this.id,
              type: 'message',
              role: 'assistant',
              content: [],
              model: this.model,
              stop_reason: null,
              stop_sequence: null,
              usage: {
                input_tokens: 0,
                output_tokens: 0,
                cache_creation_input_tokens: 0,
                cache_read_input_tokens: 0,
              },
            },
          },
          { type: 'ping' },
        ];
      case 'text': {
        // Messages has one answer: other choices (an agent configured with n > 1) stay out.
        if (e.text === '' || e.choice) return [];
        const out: object[] = [];
        if (this.open?.kind !== 'text') {
          out.push(...this.close());
          out.push(this.start({ type: 'text', text: '' }, 'text'));
        }
        out.push(this.delta({ type: 'text_delta', text: e.text }));
        return out;
      }
      case 'tool_call':
        return e.choice ? [] : this.toolCall(e);
      case 'thinking':
        return this.thinking(e);
      case 'done':
        return [
          ...this.close(),
          {
            type: 'message_delta',
            delta: {
              stop_reason: stopReason(e.outcome.finish_reason, e.outcome.stop_sequence),
              stop_sequence: e.outcome.stop_sequence ?? null,
            },
            usage: anthropicUsage(e.outcome.usage),
          },
          { type: 'message_stop' },
        ];
      default:
        return [];
    }
  }

  private toolCall(e: Extract<PipelineEvent, { type: 'tool_call' }>): object[] {
    const out: object[] = [];
    if (e.id !== undefined && !this.toolBlocks.has(e.index)) {
      out.push(...this.close());
      out.push(this.start({ type: 'tool_use', id: e.id, name: e.name ?? '', input: {} }, 'tool'));
      this.toolBlocks.set(e.index, this.open!.index);
    }
    const index = this.toolBlocks.get(e.index);
    if (index !== undefined && e.arguments !== '') {
      out.push({
        type: 'content_block_delta',
        index,
        delta: { type: 'input_json_delta', partial_json: e.arguments },
      });
    }
    return out;
  }

  /**
   * Anthropic's thinking stream: `content_block_start` with an empty `thinking` block, then
   * `thinking_delta`s and one `signature_delta`; a redacted block arrives whole in its start.
   */
  private thinking(e: Extract<PipelineEvent, { type: 'thinking' }>): object[] {
    const out: object[] = [];
    if (e.data !== undefined) {
      out.push(...this.close());
      out.push(this.start({ type: 'redacted_thinking', data: e.data }, 'thinking'));
      out.push(...this.close());
      return out;
    }
    if (this.open?.kind !== 'thinking' || this.open.block !== e.block) {
      out.push(...this.close());
      out.push(this.start({ type: 'thinking', thinking: '' }, 'thinking', e.block));
    }
    if (e.thinking) out.push(this.delta({ type: 'thinking_delta', thinking: e.thinking }));
    if (e.signature) out.push(this.delta({ type: 'signature_delta', signature: e.signature }));
    return out;
  }

  private start(block: object, kind: 'text' | 'tool' | 'thinking', thinkingBlock?: number): object {
    this.open = { index: this.nextIndex++, kind, block: thinkingBlock };
    return { type: 'content_block_start', index: this.open.index, content_block: block };
  }

  private delta(delta: object): object {
    return { type: 'content_block_delta', index: this.open!.index, delta };
  }

  private close(): object[] {
    if (!this.open) return [];
    const index = this.open.index;
    this.open = undefined;
    return [{ type: 'content_block_stop', index }];
  }
}

/** The Anthropic SSE format: named events, no `[DONE]`, errors as an `error` event. */
export function anthropicStreamFormat(id: string, model: string): StreamFormat {
  const mapper = new AnthropicEventMapper(id, model);
  return {
    map: (e) => mapper.map(e),
    error: (err, requestId) => toAnthropicErrorBody(err, requestId),
    namedEvents: true,
    terminator: null,
  };
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  405: 'invalid_request_error',
  408: 'timeout_error',
  409: 'invalid_request_error',
  413: 'request_too_large',
  415: 'invalid_request_error',
  422: 'invalid_request_error',
  429: 'rate_limit_error',
  503: 'overloaded_error',
  529: 'overloaded_error',
};

/** Anthropic's error body: `{type:"error", error:{type, message}, request_id}`. */
export function toAnthropicErrorBody(e: NormalisedError, requestId?: string) {
  const type = ERROR_TYPES[e.status] ?? (e.status >= 500 ? 'api_error' : 'invalid_request_error');
  return {
    type: 'error' as const,
    error: { type, message: e.message },
    ...(requestId !== undefined ? { request_id: requestId } : {}),
  };
}
