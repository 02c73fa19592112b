import type { NormalisedError } from '../../../../common/filters/error-envelope';
import type { CompletionOutcome, PipelineEvent } from '../../pipeline/completion-job';
import type { StreamFormat } from '../sse/stream-response';
import {
  failedResponse,
  incompleteReason,
  outputItemIds,
  outputItems,
  responseEnvelope,
  responseErrorCode,
  responsesUsage,
  type FunctionCallOutputItem,
  type OutputItem,
  type OutputMessageItem,
  type ReasoningOutputItem,
  type ResponseMeta,
} from './responses.response';

type Payload = Record<string, unknown> & { type: string };

/** The item being written to: text and thinking stream into one item at a time. */
type OpenItem =
  | { kind: 'message'; index: number; item: OutputMessageItem; text: string }
  | {
      kind: 'reasoning';
      index: number;
      block: number;
      item: ReasoningOutputItem;
      text: string;
      signature: string;
    };

/**
 * Pipeline events as the Responses API's stream (`ResponseStreamEvent`): `response.created`
 * and `response.in_progress`, then per output item `output_item.added` … `output_item.done`
 * with its content events in between (`content_part.added`, `output_text.delta`/`.done`,
 * `content_part.done` for a message; `function_call_arguments.delta`/`.done` for a call;
 * `reasoning_text.delta`/`.done` for thinking), then `response.completed` (or
 * `response.incomplete` when the answer hit max_output_tokens) carrying the whole Response.
 * Every event has a `sequence_number` from 0 up by one. One instance per request: it holds
 * that stream's state.
 */
export class ResponsesEventMapper {
  private seq = 0;
  /** Output items in output_index order, as announced (completed in place when done). */
  private readonly output: OutputItem[] = [];
  private open: OpenItem | undefined;
  /** Canonical tool-call index -> its function_call item's output_index, while open. */
  private readonly openCalls = new Map<number, number>();
  private messages = 0;
  private readonly ids: ReturnType<typeof outputItemIds>;

  constructor(private readonly meta: ResponseMeta) {
    this.ids = outputItemIds(meta.id);
  }

  map(e: PipelineEvent): Payload[] {
    switch (e.type) {
      case 'start': {
        const response = responseEnvelope(this.meta, 'in_progress', []);
        return [
          this.event('response.created', { response }),
          this.event('response.in_progress', { response }),
        ];
      }
      // The Responses API has one answer: other choices (an agent with n > 1) stay out.
      case 'text':
        return e.text === '' || e.choice ? [] : this.text(e.text);
      case 'thinking':
        return this.thinking(e);
      case 'tool_call':
        return e.choice ? [] : this.toolCall(e);
      case 'done':
        return [...this.closeAll(), this.finished(e.outcome)];
      default:
        return [];
    }
  }

  /** `response.failed` with what was produced so far and the error (request id included). */
  failed(err: NormalisedError, requestId: string): Payload {
    const error = { code: responseErrorCode(err), message: err.message, request_id: requestId };
    const done = this.output.filter((i) => i.status === 'completed');
    return this.event('response.failed', { response: failedResponse(this.meta, error, done) });
  }

  private text(delta: string): Payload[] {
    const out: Payload[] = [];
    if (this.open?.kind !== 'message') {
      out.push(...this.closeAll());
      const id = this.ids.message(this.messages++);
      const item: OutputMessageItem = {
        id,
        type: 'message',
        role: 'assistant',
        status: 'in_progress',
        content: [],
      };
      const index = this.add(item);
      this.open = { kind: 'message', index, item, text: '' };
      out.push(
        this.event('response.output_item.added', { output_index: index, item: { ...item } }),
        this.event('response.content_part.added', {
          item_id: id,
          output_index: index,
          content_index: 0,
          part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
        }),
      );
    }
    const open = this.open;
    open.text += delta;
    out.push(
      this.event('response.output_text.delta', {
        item_id: open.item.id,
        output_index: open.index,
        content_index: 0,
        delta,
        logprobs: [],
      }),
    );
    return out;
  }

  private thinking(e: Extract<PipelineEvent, { type: 'thinking' }>): Payload[] {
    const out: Payload[] = [];
    if (e.data !== undefined) {
      // Redacted thinking arrives whole: one item, added and done at once.
      out.push(...this.closeAll());
      const item: ReasoningOutputItem = {
        id: this.ids.reasoning(e.block),
        type: 'reasoning',
        summary: [],
        encrypted_content: e.data,
        status: 'completed',
      };
      const index = this.add(item);
      out.push(
        this.event('response.output_item.added', { output_index: index, item }),
        this.event('response.output_item.done', { output_index: index, item }),
      );
      return out;
    }
    if (this.open?.kind !== 'reasoning' || this.open.block !== e.block) {
      out.push(...this.closeAll());
      const id = this.ids.reasoning(e.block);
      const item: ReasoningOutputItem = {
        id,
        type: 'reasoning',
        summary: [],
        content: [],
        status: 'in_progress',
      };
      const index = this.add(item);
      this.open = { kind: 'reasoning', index, block: e.block, item, text: '', signature: '' };
      out.push(
        this.event('response.output_item.added', {
          output_index: index,
          item: { ...item, content: [] },
        }),
        this.event('response.content_part.added', {
          item_id: id,
          output_index: index,
          content_index: 0,
          part: { type: 'reasoning_text', text: '' },
        }),
      );
    }
    const open = this.open;
    if (e.signature) open.signature += e.signature;
    if (e.thinking) {
      open.text += e.thinking;
      out.push(
        this.event('response.reasoning_text.delta', {
          item_id: open.item.id,
          output_index: open.index,
          content_index: 0,
          delta: e.thinking,
        }),
      );
    }
    return out;
  }

  private toolCall(e: Extract<PipelineEvent, { type: 'tool_call' }>): Payload[] {
    const out: Payload[] = [];
    if (e.id !== undefined && !this.openCalls.has(e.index)) {
      // A call closes the text or thinking before it; calls stay open together until the
      // answer ends, as their argument fragments may interleave.
      out.push(...this.closeOpen());
      const item: FunctionCallOutputItem = {
        id: this.ids.functionCall(e.index),
        type: 'function_call',
        call_id: e.id,
        name: e.name ?? '',
        arguments: '',
        status: 'in_progress',
      };
      const index = this.add(item);
      this.openCalls.set(e.index, index);
      out.push(
        this.event('response.output_item.added', { output_index: index, item: { ...item } }),
      );
    }
    const index = this.openCalls.get(e.index);
    if (index === undefined || e.arguments === '') return out;
    const item = this.output[index] as FunctionCallOutputItem;
    item.arguments += e.arguments;
    out.push(
      this.event('response.function_call_arguments.delta', {
        item_id: item.id,
        output_index: index,
        delta: e.arguments,
      }),
    );
    return out;
  }

  private closeAll(): Payload[] {
    return [...this.closeOpen(), ...this.closeCalls()];
  }

  /** Ends the open message or reasoning item with its `.done` events. */
  private closeOpen(): Payload[] {
    const open = this.open;
    if (!open) return [];
    this.open = undefined;
    const base = { item_id: open.item.id, output_index: open.index, content_index: 0 };
    if (open.kind === 'message') {
      const part = { type: 'output_text', text: open.text, annotations: [], logprobs: [] };
      open.item.content = [{ type: 'output_text', text: open.text, annotations: [], logprobs: [] }];
      open.item.status = 'completed';
      return [
        this.event('response.output_text.done', { ...base, text: open.text, logprobs: [] }),
        this.event('response.content_part.done', { ...base, part }),
        this.event('response.output_item.done', { output_index: open.index, item: open.item }),
      ];
    }
    open.item.content = [{ type: 'reasoning_text', text: open.text }];
    open.item.encrypted_content = open.signature || null;
    open.item.status = 'completed';
    return [
      this.event('response.reasoning_text.done', { ...base, text: open.text }),
      this.event('response.content_part.done', {
        ...base,
        part: { type: 'reasoning_text', text: open.text },
      }),
      this.event('response.output_item.done', { output_index: open.index, item: open.item }),
    ];
  }

  private closeCalls(): Payload[] {
    const out: Payload[] = [];
    for (const index of this.openCalls.values()) {
      const item = this.output[index] as FunctionCallOutputItem;
      item.status = 'completed';
      out.push(
        this.event('response.function_call_arguments.done', {
          item_id: item.id,
          output_index: index,
          name: item.name,
          arguments: item.arguments,
        }),
        this.event('response.output_item.done', { output_index: index, item }),
      );
    }
    this.openCalls.clear();
    return out;
  }

  /**
   * The last event, with the Response built from the items actually streamed (so it matches
   * what the client accumulated) and the outcome's status and usage. An answer that streamed
   * no items (nothing to show) falls back to the outcome's own items.
   */
  private finished(o: CompletionOutcome): Payload {
    const incomplete = incompleteReason(o);
    const output = this.output.length > 0 ? this.output : outputItems(o, this.meta.id);
    if (incomplete) {
      for (const item of output) if (item.type === 'message') item.status = 'incomplete';
    }
    const response = responseEnvelope(this.meta, incomplete ? 'incomplete' : 'completed', output, {
      usage: responsesUsage(o.usage),
      incomplete,
    });
    return this.event(incomplete ? 'response.incomplete' : 'response.completed', { response });
  }

  private add(item: OutputItem): number {
    this.output.push(item);
    return this.output.length - 1;
  }

  private event(type: string, body: Record<string, unknown>): Payload {
    return { type, sequence_number: this.seq++, ...body };
  }
}

/**
 * The Responses SSE format: `event: <type>` lines, no `[DONE]` terminator (the stream ends
 * after `response.completed`), a failure after the start as `response.failed`.
 */
export function responsesStreamFormat(meta: ResponseMeta): StreamFormat {
  const mapper = new ResponsesEventMapper(meta);
  return {
    map: (e) => mapper.map(e),
    error: (err, requestId) => mapper.failed(err, requestId),
    namedEvents: true,
    terminator: null,
  };
}
