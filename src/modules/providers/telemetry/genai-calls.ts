import { performance } from 'node:perf_hooks';
import {
  type Attributes,
  type Histogram,
  type Span,
  SpanKind,
  SpanStatusCode,
} from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '@opentelemetry/semantic-conventions';
import type { Telemetry } from '../../tracing';
import type { AdapterContext } from '../adapters/provider-adapter';
import { ProviderError } from '../errors/provider-error';
import type {
  ChatRequest,
  ChatResult,
  EmbeddingResult,
  StreamEvent,
  ToolCall,
  Usage,
} from '../provider.types';
import type { CallTarget } from '../resilience/resilient-executor';
import { BUCKETS, GenAi, GenAiMetric, providerName } from './genai-attributes';
import { inputMessages, outputMessages } from './genai-content';

type Operation = 'chat' | 'embeddings';

/**
 * GenAI spans and metrics for provider calls: one CLIENT span per attempt (each retry and each
 * fallback is its own span, a child of the request's span), named `{operation} {model}`, with
 * the semantic-convention attributes; `gen_ai.client.operation.duration` and
 * `gen_ai.client.token.usage` per attempt, `gen_ai.client.operation.time_to_first_chunk` per
 * stream. Prompts and completions only when content capture is on; keys never.
 *
 * Only constructed when tracing is on: with it off the providers call adapters directly.
 */
export class GenAiCalls {
  private readonly duration?: Histogram;
  private readonly tokens?: Histogram;
  private readonly firstChunk?: Histogram;

  constructor(private readonly telemetry: Telemetry) {
    const meter = telemetry.meter;
    if (meter) {
      this.duration = meter.createHistogram(GenAiMetric.OPERATION_DURATION, {
        description: 'GenAI operation duration (one provider attempt)',
        unit: 's',
        advice: { explicitBucketBoundaries: BUCKETS.duration },
      });
      this.tokens = meter.createHistogram(GenAiMetric.TOKEN_USAGE, {
        description: 'Number of input and output tokens used',
        unit: '{token}',
        advice: { explicitBucketBoundaries: BUCKETS.tokens },
      });
      this.firstChunk = meter.createHistogram(GenAiMetric.TIME_TO_FIRST_CHUNK, {
        description: 'Time to receive the first chunk of a streamed answer',
        unit: 's',
        advice: { explicitBucketBoundaries: BUCKETS.firstChunk },
      });
    }
  }

  async complete(
    target: CallTarget,
    ctx: AdapterContext,
    call: () => Promise<ChatResult>,
  ): Promise<ChatResult> {
    const attempt = this.start('chat', target, ctx);
    try {
      const result = await call();
      const reasons = [
        result.finish_reason,
        ...(result.alternatives ?? []).map((a) => a.finish_reason),
      ];
      attempt.answered(result.model, result.id, reasons, result.usage);
      if (this.telemetry.captureContent) {
        attempt.span.setAttribute(
          GenAi.OUTPUT_MESSAGES,
          outputMessages(result.content, result.tool_calls, result.finish_reason),
        );
      }
      attempt.end();
      return result;
    } catch (e) {
      attempt.fail(e);
      throw e;
    }
  }

  async *stream(
    target: CallTarget,
    ctx: AdapterContext,
    open: () => AsyncIterable<StreamEvent>,
  ): AsyncGenerator<StreamEvent> {
    const attempt = this.start('chat', target, ctx);
    const capture = this.telemetry.captureContent;
    const reasons: string[] = [];
    let model = target.model;
    let id: string | undefined;
    let usage: Usage | undefined;
    let text = '';
    const calls: ToolCall[] = [];
    let first = true;
    let settled = false;
    try {
      for await (const event of open()) {
        if (first) {
          first = false;
          attempt.firstChunk(this.firstChunk);
        }
        if (event.type === 'start') {
          model = event.model;
          id = event.id;
        } else if (event.type === 'finish') {
          reasons[event.choice ?? 0] = event.finish_reason;
        } else if (event.type === 'usage') {
          usage = event.usage;
        } else if (capture && event.type === 'text' && !event.choice) {
          text += event.text;
        } else if (capture && event.type === 'tool_call' && !event.choice) {
          collectToolCall(calls, event);
        }
        yield event;
      }
      settled = true;
      attempt.answered(model, id, reasons.filter(Boolean), usage);
      if (capture) {
        attempt.span.setAttribute(
          GenAi.OUTPUT_MESSAGES,
          outputMessages(text || null, calls.filter(Boolean), reasons[0]),
        );
      }
      attempt.end();
    } catch (e) {
      settled = true;
      attempt.fail(e);
      throw e;
    } finally {
      // The consumer stopped early (the client went away): what arrived is recorded, unflagged.
      if (!settled) {
        attempt.answered(model, id, reasons.filter(Boolean), usage);
        attempt.span.setAttribute('gateway.cancelled', true);
        attempt.end();
      }
    }
  }

  async embed(
    target: CallTarget<unknown>,
    ctx: AdapterContext,
    call: () => Promise<EmbeddingResult>,
  ): Promise<EmbeddingResult> {
    const attempt = this.start('embeddings', target, ctx);
    try {
      const result = await call();
      attempt.answered(result.model, undefined, [], result.usage);
      attempt.end();
      return result;
    } catch (e) {
      attempt.fail(e);
      throw e;
    }
  }

  private start(operation: Operation, target: CallTarget<unknown>, ctx: AdapterContext): Attempt {
    const provider = providerName(target.service);
    const attributes: Attributes = {
      [GenAi.OPERATION_NAME]: operation,
      [GenAi.PROVIDER_NAME]: provider,
      [GenAi.SYSTEM]: provider,
      [GenAi.REQUEST_MODEL]: target.model,
      ...serverOf(ctx.baseUrl),
    };
    if (operation === 'chat') {
      const req = target.request as ChatRequest;
      Object.assign(attributes, requestParams(req));
      if (this.telemetry.captureContent)
        attributes[GenAi.INPUT_MESSAGES] = inputMessages(req.messages);
    }
    const span = this.telemetry.tracer.startSpan(
      `${operation} ${target.model}`,
      { kind: SpanKind.CLIENT, attributes },
      this.telemetry.currentContext(),
    );
    // Metrics label models as the Prometheus series do: catalog models by name, others as `other`.
    const metricAttributes: Attributes = {
      [GenAi.OPERATION_NAME]: operation,
      [GenAi.PROVIDER_NAME]: provider,
      [GenAi.REQUEST_MODEL]: target.metricsModel ?? target.model,
    };
    return new Attempt(span, metricAttributes, this.duration, this.tokens);
  }
}

/** One attempt's span and the metrics recorded when it ends. */
class Attempt {
  private readonly startedAt = performance.now();
  private usage?: Usage;

  constructor(
    readonly span: Span,
    private readonly metricAttributes: Attributes,
    private readonly duration: Histogram | undefined,
    private readonly tokens: Histogram | undefined,
  ) {}

  firstChunk(histogram: Histogram | undefined): void {
    histogram?.record((performance.now() - this.startedAt) / 1000, this.metricAttributes);
  }

  answered(
    model: string,
    id: string | undefined,
    reasons: string[],
    usage: Usage | undefined,
  ): void {
    this.span.setAttribute(GenAi.RESPONSE_MODEL, model);
    if (id) this.span.setAttribute(GenAi.RESPONSE_ID, id);
    if (reasons.length) this.span.setAttribute(GenAi.RESPONSE_FINISH_REASONS, reasons);
    if (!usage) return;
    this.usage = usage;
    this.span.setAttribute(GenAi.USAGE_INPUT_TOKENS, usage.input_tokens);
    this.span.setAttribute(GenAi.USAGE_OUTPUT_TOKENS, usage.output_tokens);
    if (usage.cached_tokens > 0) {
      this.span.setAttribute(GenAi.USAGE_CACHE_READ_INPUT_TOKENS, usage.cached_tokens);
    }
    if (usage.cache_write_tokens) {
      this.span.setAttribute(GenAi.USAGE_CACHE_CREATION_INPUT_TOKENS, usage.cache_write_tokens);
    }
  }

  end(): void {
    this.span.end();
    this.duration?.record((performance.now() - this.startedAt) / 1000, this.metricAttributes);
    if (this.usage && this.tokens) {
      this.tokens.record(this.usage.input_tokens, {
        ...this.metricAttributes,
        [GenAi.TOKEN_TYPE]: 'input',
      });
      if (this.metricAttributes[GenAi.OPERATION_NAME] !== 'embeddings') {
        this.tokens.record(this.usage.output_tokens, {
          ...this.metricAttributes,
          [GenAi.TOKEN_TYPE]: 'output',
        });
      }
    }
  }

  fail(e: unknown): void {
    const type = errorType(e);
    this.span.setAttribute(ATTR_ERROR_TYPE, type);
    // Provider errors carry client-safe messages (they are what clients are told); others may not.
    this.span.setStatus({
      code: SpanStatusCode.ERROR,
      message: e instanceof ProviderError ? e.message : undefined,
    });
    this.span.end();
    this.duration?.record((performance.now() - this.startedAt) / 1000, {
      ...this.metricAttributes,
      [ATTR_ERROR_TYPE]: type,
    });
  }
}

/** The upstream's HTTP status when it answered one, else the failure kind (`timeout`, ...). */
function errorType(e: unknown): string {
  if (e instanceof ProviderError) return e.upstreamStatus ? String(e.upstreamStatus) : e.kind;
  if (e instanceof Error) return e.name === 'Error' ? '_OTHER' : e.name;
  return '_OTHER';
}

function requestParams(req: ChatRequest): Attributes {
  const p = req.params ?? {};
  const out: Attributes = {};
  const num = (key: string, v: unknown) => {
    if (typeof v === 'number') out[key] = v;
  };
  num(GenAi.REQUEST_MAX_TOKENS, p.max_tokens);
  num(GenAi.REQUEST_TEMPERATURE, p.temperature);
  num(GenAi.REQUEST_TOP_P, p.top_p);
  num(GenAi.REQUEST_TOP_K, p.top_k);
  num(GenAi.REQUEST_FREQUENCY_PENALTY, p.frequency_penalty);
  num(GenAi.REQUEST_PRESENCE_PENALTY, p.presence_penalty);
  num(GenAi.REQUEST_SEED, p.seed);
  if (typeof p.n === 'number' && p.n !== 1) out[GenAi.REQUEST_CHOICE_COUNT] = p.n;
  if (typeof p.stop === 'string') out[GenAi.REQUEST_STOP_SEQUENCES] = [p.stop];
  else if (Array.isArray(p.stop)) out[GenAi.REQUEST_STOP_SEQUENCES] = p.stop;
  return out;
}

/** Host and port only: a base URL may carry credentials or query strings. */
function serverOf(baseUrl: string): Attributes {
  try {
    const url = new URL(baseUrl);
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    return { [ATTR_SERVER_ADDRESS]: url.hostname, [ATTR_SERVER_PORT]: port };
  } catch {
    return {};
  }
}

/** Reassembles streamed tool-call fragments (for content capture only). */
function collectToolCall(
  calls: ToolCall[],
  event: Extract<StreamEvent, { type: 'tool_call' }>,
): void {
  const call = (calls[event.index] ??= {
    id: event.id ?? '',
    type: 'function',
    function: { name: event.name ?? '', arguments: '' },
  });
  if (event.id) call.id = event.id;
  if (event.name) call.function.name = event.name;
  call.function.arguments += event.arguments;
}
