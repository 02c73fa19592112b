import { randomUUID } from 'node:crypto';
import { malformedError } from '../../errors/provider-error';
import type {
  ChatResult,
  FinishReason,
  ServiceName,
  StreamEvent,
  ToolCall,
  Usage,
} from '../../provider.types';
import { isRecord } from '../../is-record';
import { emptyUsage } from '../usage';
import { finishFromOpenAI, usageFromOpenAI } from './openai-compatible.usage';

/** Hooks the response parsers call so a service can read its extra fields. */
export interface ResponseDialect {
  /** Sees every raw tool call (complete or a stream fragment), e.g. to keep Gemini's signature. */
  inspectToolCall(raw: Record<string, unknown>, id: string | undefined): void;
  /** Where the service puts usage in a stream chunk when not in `usage` (Groq: `x_groq.usage`). */
  chunkUsage(chunk: Record<string, unknown>): unknown;
}

/** Some services (Mistral's reasoning models) send content as an array of typed chunks. */
function textOf(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    const texts = content
      .filter(isRecord)
      .filter((p) => p.type === 'text' && typeof p.text === 'string')
      .map((p) => p.text as string);
    return texts.length ? texts.join('') : null;
  }
  return null;
}

function toolCallsOf(raw: unknown, service: ServiceName, dialect: ResponseDialect): ToolCall[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw malformedError(service, '`tool_calls` is not an array');
  return raw.map((c): ToolCall => {
    const fn = isRecord(c) && isRecord(c.function) ? c.function : undefined;
    if (!isRecord(c) || !fn || typeof fn.name !== 'string') {
      throw malformedError(service, 'a tool call has no function name');
    }
    const id =
      typeof c.id === 'string' && c.id
        ? c.id
        : `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
    dialect.inspectToolCall(c, id);
    const args =
      typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {});
    return { id, type: 'function', function: { name: fn.name, arguments: args } };
  });
}

/** A non-streamed chat completion, validated field by field: upstream data is untrusted. */
export function parseCompletion(
  raw: unknown,
  service: ServiceName,
  model: string,
  dialect: ResponseDialect,
): ChatResult {
  if (!isRecord(raw)) throw malformedError(service, 'the body is not a JSON object');
  const choice: unknown = Array.isArray(raw.choices) ? raw.choices[0] : undefined;
  if (!isRecord(choice) || !isRecord(choice.message)) {
    throw malformedError(service, 'no `choices[0].message`');
  }
  const message = choice.message;
  const toolCalls = toolCallsOf(message.tool_calls, service, dialect);
  const refusal = typeof message.refusal === 'string' ? message.refusal : null;
  let finish: FinishReason = finishFromOpenAI(choice.finish_reason);
  // Gemini and forced tool_choice on OpenAI report "stop" while returning calls; callers
  // branch on finish_reason, so make it say what happened.
  if (toolCalls.length) finish = 'tool_calls';
  return {
    id: typeof raw.id === 'string' && raw.id ? raw.id : `chatcmpl-${randomUUID()}`,
    service,
    model,
    content: textOf(message.content) ?? refusal,
    tool_calls: toolCalls,
    finish_reason: finish,
    usage: usageFromOpenAI(raw.usage),
    created: typeof raw.created === 'number' ? raw.created : Math.floor(Date.now() / 1000),
    attempts: 1,
  };
}

/**
 * Turns OpenAI-shape stream chunks into canonical events. Tolerates the known deviations:
 * tool-call deltas without `index` (Gemini), usage outside `usage` (Groq), a usage-only final
 * chunk with no choices, and "stop" reported for tool calls.
 */
export class ChunkAccumulator {
  private started = false;
  private finish: FinishReason | undefined;
  private usage: Usage | undefined;
  private sawToolCall = false;
  private readonly indexById = new Map<string, number>();
  private lastIndex = -1;

  constructor(
    private readonly service: ServiceName,
    private readonly model: string,
    private readonly dialect: ResponseDialect,
  ) {}

  push(chunk: unknown): StreamEvent[] {
    if (!isRecord(chunk)) throw malformedError(this.service, 'a stream chunk is not a JSON object');
    const events: StreamEvent[] = [];
    if (!this.started) {
      this.started = true;
      events.push({
        type: 'start',
        id: typeof chunk.id === 'string' && chunk.id ? chunk.id : `chatcmpl-${randomUUID()}`,
        service: this.service,
        model: this.model,
        created: typeof chunk.created === 'number' ? chunk.created : Math.floor(Date.now() / 1000),
      });
    }
    const rawUsage = chunk.usage ?? this.dialect.chunkUsage(chunk);
    if (isRecord(rawUsage)) this.usage = usageFromOpenAI(rawUsage);

    const choice: unknown = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
    if (choice === undefined) return events;
    if (!isRecord(choice)) throw malformedError(this.service, 'a stream choice is not an object');
    const delta = isRecord(choice.delta) ? choice.delta : {};
    const text = textOf(delta.content);
    if (text) events.push({ type: 'text', text });
    if (Array.isArray(delta.tool_calls)) {
      for (const frag of delta.tool_calls) events.push(this.toolFragment(frag));
    }
    if (choice.finish_reason !== null && choice.finish_reason !== undefined) {
      this.finish = finishFromOpenAI(choice.finish_reason);
    }
    return events;
  }

  /** The closing events; throws when the stream ended before the service said it was done. */
  end(): StreamEvent[] {
    if (this.finish === undefined) {
      throw malformedError(this.service, 'the stream ended before a finish_reason');
    }
    const finish: FinishReason = this.sawToolCall ? 'tool_calls' : this.finish;
    return [
      { type: 'finish', finish_reason: finish },
      { type: 'usage', usage: this.usage ?? emptyUsage() },
    ];
  }

  private toolFragment(frag: unknown): StreamEvent {
    if (!isRecord(frag)) throw malformedError(this.service, 'a tool-call delta is not an object');
    const id = typeof frag.id === 'string' && frag.id ? frag.id : undefined;
    const index = this.indexFor(frag.index, id);
    this.sawToolCall = true;
    this.dialect.inspectToolCall(frag, id);
    const fn = isRecord(frag.function) ? frag.function : {};
    const event: StreamEvent = {
      type: 'tool_call',
      index,
      arguments: typeof fn.arguments === 'string' ? fn.arguments : '',
    };
    if (id) event.id = id;
    if (typeof fn.name === 'string' && fn.name) event.name = fn.name;
    return event;
  }

  private indexFor(raw: unknown, id: string | undefined): number {
    let index: number;
    if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0) index = raw;
    else if (id !== undefined) index = this.indexById.get(id) ?? this.lastIndex + 1;
    else index = Math.max(this.lastIndex, 0);
    if (id !== undefined) this.indexById.set(id, index);
    this.lastIndex = Math.max(this.lastIndex, index);
    return index;
  }
}
