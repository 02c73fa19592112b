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

/** One choice of a chat completion: its message and finish reason, validated. */
function parseChoice(
  choice: Record<string, unknown>,
  service: ServiceName,
  dialect: ResponseDialect,
): { content: string | null; tool_calls: ToolCall[]; finish_reason: FinishReason } {
  if (!isRecord(choice.message)) throw malformedError(service, 'a choice has no `message`');
  const message = choice.message;
  const toolCalls = toolCallsOf(message.tool_calls, service, dialect);
  const refusal = typeof message.refusal === 'string' ? message.refusal : null;
  let finish: FinishReason = finishFromOpenAI(choice.finish_reason);
  // Gemini and forced tool_choice on OpenAI report "stop" while returning calls; callers
  // branch on finish_reason, so make it say what happened.
  if (toolCalls.length) finish = 'tool_calls';
  return {
    content: textOf(message.content) ?? refusal,
    tool_calls: toolCalls,
    finish_reason: finish,
  };
}

/** A choice's `index`, or its position in the list when the service leaves it out. */
function choiceIndex(choice: Record<string, unknown>, position: number): number {
  const i = choice.index;
  return typeof i === 'number' && Number.isInteger(i) && i >= 0 ? i : position;
}

/**
 * A non-streamed chat completion, validated field by field: upstream data is untrusted. Choice 0
 * is the answer; the others (`n` > 1) become `alternatives`, in index order.
 */
export function parseCompletion(
  raw: unknown,
  service: ServiceName,
  model: string,
  dialect: ResponseDialect,
): ChatResult {
  if (!isRecord(raw)) throw malformedError(service, 'the body is not a JSON object');
  const choices: unknown[] = Array.isArray(raw.choices) ? raw.choices : [];
  if (!isRecord(choices[0]) || !isRecord(choices[0].message)) {
    throw malformedError(service, 'no `choices[0].message`');
  }
  const indexed = choices.map((c, position) => {
    if (!isRecord(c)) throw malformedError(service, 'a choice is not an object');
    return { index: choiceIndex(c, position), ...parseChoice(c, service, dialect) };
  });
  indexed.sort((a, b) => a.index - b.index);
  const [first, ...others] = indexed;
  return {
    id: typeof raw.id === 'string' && raw.id ? raw.id : `chatcmpl-${randomUUID()}`,
    service,
    model,
    content: first.content,
    tool_calls: first.tool_calls,
    finish_reason: first.finish_reason,
    ...(others.length ? { alternatives: others } : {}),
    // With n > 1 OpenAI's usage already covers every choice: it is what the call is billed.
    usage: usageFromOpenAI(raw.usage),
    created: typeof raw.created === 'number' ? raw.created : Math.floor(Date.now() / 1000),
    attempts: 1,
  };
}

/** What the accumulator tracks for one choice of the stream. */
class ChoiceState {
  finish: FinishReason | undefined;
  sawToolCall = false;
  readonly indexById = new Map<string, number>();
  lastIndex = -1;
}

/**
 * Turns OpenAI-shape stream chunks into canonical events. Tolerates the known deviations:
 * tool-call deltas without `index` (Gemini), usage outside `usage` (Groq), a usage-only final
 * chunk with no choices, and "stop" reported for tool calls. With `n` > 1 the chunks of every
 * choice are forwarded, each event tagged with its choice (choice 0 untagged); the finish
 * events of all choices come at the end, choice 0's first.
 */
export class ChunkAccumulator {
  private started = false;
  private usage: Usage | undefined;
  private readonly choices = new Map<number, ChoiceState>();

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

    const list: unknown[] = Array.isArray(chunk.choices) ? chunk.choices : [];
    list.forEach((choice, position) => {
      if (!isRecord(choice)) throw malformedError(this.service, 'a stream choice is not an object');
      events.push(...this.choiceEvents(choice, choiceIndex(choice, position)));
    });
    return events;
  }

  /** The closing events; throws when the stream ended before the service said it was done. */
  end(): StreamEvent[] {
    const first = this.choices.get(0);
    if (first?.finish === undefined) {
      throw malformedError(this.service, 'the stream ended before a finish_reason');
    }
    const finishes = [...this.choices.entries()]
      .sort(([a], [b]) => a - b)
      .map(([choice, state]): StreamEvent => {
        // A choice cut off without a finish_reason of its own ended with the stream.
        const reason: FinishReason = state.sawToolCall ? 'tool_calls' : (state.finish ?? 'stop');
        return choice === 0
          ? { type: 'finish', finish_reason: reason }
          : { type: 'finish', finish_reason: reason, choice };
      });
    return [...finishes, { type: 'usage', usage: this.usage ?? emptyUsage() }];
  }

  private choiceEvents(choice: Record<string, unknown>, index: number): StreamEvent[] {
    let state = this.choices.get(index);
    if (!state) this.choices.set(index, (state = new ChoiceState()));
    const tag = index === 0 ? {} : { choice: index };
    const events: StreamEvent[] = [];
    const delta = isRecord(choice.delta) ? choice.delta : {};
    const text = textOf(delta.content);
    if (text) events.push({ type: 'text', text, ...tag });
    if (Array.isArray(delta.tool_calls)) {
      for (const frag of delta.tool_calls)
        events.push({ ...this.toolFragment(frag, state), ...tag });
    }
    if (choice.finish_reason !== null && choice.finish_reason !== undefined) {
      state.finish = finishFromOpenAI(choice.finish_reason);
    }
    return events;
  }

  private toolFragment(frag: unknown, state: ChoiceState): StreamEvent & { type: 'tool_call' } {
    if (!isRecord(frag)) throw malformedError(this.service, 'a tool-call delta is not an object');
    const id = typeof frag.id === 'string' && frag.id ? frag.id : undefined;
    const index = indexFor(state, frag.index, id);
    state.sawToolCall = true;
    this.dialect.inspectToolCall(frag, id);
    const fn = isRecord(frag.function) ? frag.function : {};
    const event: StreamEvent & { type: 'tool_call' } = {
      type: 'tool_call',
      index,
      arguments: typeof fn.arguments === 'string' ? fn.arguments : '',
    };
    if (id) event.id = id;
    if (typeof fn.name === 'string' && fn.name) event.name = fn.name;
    return event;
  }
}

/** A tool call's position in its choice's message, for deltas that omit `index` (Gemini). */
function indexFor(state: ChoiceState, raw: unknown, id: string | undefined): number {
  let index: number;
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0) index = raw;
  else if (id !== undefined) index = state.indexById.get(id) ?? state.lastIndex + 1;
  else index = Math.max(state.lastIndex, 0);
  if (id !== undefined) state.indexById.set(id, index);
  state.lastIndex = Math.max(state.lastIndex, index);
  return index;
}
