import { randomUUID } from 'node:crypto';
import { malformedError } from '../../errors/provider-error';
import type {
  ChatResult,
  FinishReason,
  ServiceName,
  StreamEvent,
  ThinkingBlock,
  ToolCall,
  Usage,
} from '../../provider.types';
import { isRecord } from '../../is-record';
import { usageFromAnthropic } from './anthropic.usage';

const SERVICE: ServiceName = 'anthropic';

export function finishFromAnthropic(reason: unknown): FinishReason {
  switch (reason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      // end_turn, stop_sequence, pause_turn
      return 'stop';
  }
}

/** `{stop_sequence}` when a stop sequence ended the answer, else nothing. */
function stopSequence(reason: unknown, sequence: unknown): { stop_sequence?: string } {
  return reason === 'stop_sequence' && typeof sequence === 'string'
    ? { stop_sequence: sequence }
    : {};
}

/** A non-streamed Message, validated: upstream data is untrusted. */
export function parseMessage(raw: unknown, model: string): ChatResult {
  if (!isRecord(raw) || !Array.isArray(raw.content)) {
    throw malformedError(SERVICE, 'no `content` array in the message');
  }
  let text = '';
  let sawText = false;
  const toolCalls: ToolCall[] = [];
  const thinking: ThinkingBlock[] = [];
  for (const block of raw.content) {
    if (!isRecord(block)) throw malformedError(SERVICE, 'a content block is not an object');
    if (block.type === 'text' && typeof block.text === 'string') {
      text += block.text;
      sawText = true;
    } else if (block.type === 'thinking' && typeof block.thinking === 'string') {
      const signature = typeof block.signature === 'string' ? block.signature : '';
      thinking.push({ type: 'thinking', thinking: block.thinking, signature });
    } else if (block.type === 'redacted_thinking' && typeof block.data === 'string') {
      thinking.push({ type: 'redacted_thinking', data: block.data });
    } else if (block.type === 'tool_use') {
      if (typeof block.id !== 'string' || typeof block.name !== 'string') {
        throw malformedError(SERVICE, 'a tool_use block has no id or name');
      }
      toolCalls.push({
        id: block.id,
        type: 'function',
        function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
      });
    }
    // Server tool blocks are not part of the canonical answer.
  }
  return {
    id: typeof raw.id === 'string' ? raw.id : `msg_${randomUUID()}`,
    service: SERVICE,
    model,
    content: sawText ? text : null,
    tool_calls: toolCalls,
    finish_reason: toolCalls.length ? 'tool_calls' : finishFromAnthropic(raw.stop_reason),
    ...stopSequence(raw.stop_reason, raw.stop_sequence),
    ...(thinking.length ? { thinking } : {}),
    usage: usageFromAnthropic(raw.usage),
    created: Math.floor(Date.now() / 1000),
    attempts: 1,
  };
}

/**
 * Turns Messages API stream events into canonical events. Content blocks are indexed across
 * text and tool_use blocks; tool calls get their own dense 0-based index, as OpenAI's do.
 */
export class AnthropicEventAccumulator {
  private started = false;
  private stopped = false;
  private finish: FinishReason = 'stop';
  private stop: { stop_sequence?: string } = {};
  private usage: Record<string, unknown> = {};
  private readonly toolIndexByBlock = new Map<number, number>();
  /** Content-block index -> thinking block number. */
  private readonly thinkingByBlock = new Map<number, number>();

  constructor(private readonly model: string) {}

  push(event: unknown): StreamEvent[] {
    if (!isRecord(event) || typeof event.type !== 'string') {
      throw malformedError(SERVICE, 'a stream event has no type');
    }
    switch (event.type) {
      case 'message_start':
        return this.onStart(event.message);
      case 'content_block_start':
        return this.onBlockStart(event);
      case 'content_block_delta':
        return this.onBlockDelta(event);
      case 'message_delta':
        this.onMessageDelta(event);
        return [];
      case 'message_stop':
        this.stopped = true;
        return [];
      default:
        // content_block_stop, ping and event types added later carry nothing we need.
        return [];
    }
  }

  end(): StreamEvent[] {
    if (!this.stopped) throw malformedError(SERVICE, 'the stream ended before message_stop');
    const usage: Usage = usageFromAnthropic(this.usage);
    return [
      {
        type: 'finish',
        finish_reason: this.toolIndexByBlock.size ? 'tool_calls' : this.finish,
        ...this.stop,
      },
      { type: 'usage', usage },
    ];
  }

  private onStart(message: unknown): StreamEvent[] {
    if (!isRecord(message)) throw malformedError(SERVICE, 'message_start without a message');
    if (isRecord(message.usage)) this.mergeUsage(message.usage);
    if (this.started) return [];
    this.started = true;
    return [
      {
        type: 'start',
        id: typeof message.id === 'string' ? message.id : `msg_${randomUUID()}`,
        service: SERVICE,
        model: this.model,
        created: Math.floor(Date.now() / 1000),
      },
    ];
  }

  private onBlockStart(event: Record<string, unknown>): StreamEvent[] {
    const block = event.content_block;
    if (!isRecord(block) || typeof event.index !== 'number') {
      throw malformedError(SERVICE, 'content_block_start without a block');
    }
    if (block.type === 'text' && typeof block.text === 'string' && block.text) {
      return [{ type: 'text', text: block.text }];
    }
    if (block.type === 'thinking' || block.type === 'redacted_thinking') {
      const n = this.thinkingByBlock.size;
      this.thinkingByBlock.set(event.index, n);
      if (block.type === 'redacted_thinking') {
        return typeof block.data === 'string'
          ? [{ type: 'thinking', block: n, data: block.data }]
          : [];
      }
      const first = typeof block.thinking === 'string' ? block.thinking : '';
      return first ? [{ type: 'thinking', block: n, thinking: first }] : [];
    }
    if (block.type !== 'tool_use') return [];
    if (typeof block.id !== 'string' || typeof block.name !== 'string') {
      throw malformedError(SERVICE, 'a tool_use block has no id or name');
    }
    const index = this.toolIndexByBlock.size;
    this.toolIndexByBlock.set(event.index, index);
    return [{ type: 'tool_call', index, id: block.id, name: block.name, arguments: '' }];
  }

  private onBlockDelta(event: Record<string, unknown>): StreamEvent[] {
    const delta = event.delta;
    if (!isRecord(delta) || typeof event.index !== 'number') {
      throw malformedError(SERVICE, 'content_block_delta without a delta');
    }
    if (delta.type === 'text_delta' && typeof delta.text === 'string') {
      return delta.text ? [{ type: 'text', text: delta.text }] : [];
    }
    const thinkingBlock = this.thinkingByBlock.get(event.index);
    if (thinkingBlock !== undefined) {
      if (delta.type === 'thinking_delta' && typeof delta.thinking === 'string' && delta.thinking) {
        return [{ type: 'thinking', block: thinkingBlock, thinking: delta.thinking }];
      }
      if (delta.type === 'signature_delta' && typeof delta.signature === 'string') {
        return [{ type: 'thinking', block: thinkingBlock, signature: delta.signature }];
      }
      return [];
    }
    if (delta.type === 'input_json_delta' && typeof delta.partial_json === 'string') {
      const index = this.toolIndexByBlock.get(event.index);
      if (index === undefined)
        throw malformedError(SERVICE, 'input_json_delta for an unknown block');
      return [{ type: 'tool_call', index, arguments: delta.partial_json }];
    }
    return [];
  }

  /** message_delta usage counts are cumulative; null fields mean "unchanged". */
  private onMessageDelta(event: Record<string, unknown>): void {
    if (isRecord(event.delta) && event.delta.stop_reason) {
      this.finish = finishFromAnthropic(event.delta.stop_reason);
      this.stop = stopSequence(event.delta.stop_reason, event.delta.stop_sequence);
    }
    if (isRecord(event.usage)) this.mergeUsage(event.usage);
  }

  private mergeUsage(u: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(u)) if (v !== null && v !== undefined) this.usage[k] = v;
  }
}
