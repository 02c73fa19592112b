import type { CompletionOutcome, PipelineEvent } from '../../pipeline/completion-job';
import type { NormalisedError } from '../../../../common/filters/error-envelope';
import type { StreamFormat } from '../sse/stream-response';

export interface AgentResponseContext {
  agentId: string;
  threadId?: string;
  requestId: string;
  latencyMs: number;
}

/** DESIGN's `data` object of the agent endpoint. */
export function agentResponseData(o: CompletionOutcome, ctx: AgentResponseContext) {
  return {
    id: ctx.requestId,
    thread_id: ctx.threadId ?? null,
    agent_id: ctx.agentId,
    service: o.service,
    model: o.model,
    content: o.content,
    finish_reason: o.finish_reason,
    tool_calls: o.tool_runs.map((r) => ({
      id: r.id,
      name: r.name,
      arguments: r.arguments,
      result: r.result,
      duration_ms: r.duration_ms,
    })),
    usage: {
      input_tokens: o.usage.input_tokens,
      output_tokens: o.usage.output_tokens,
      total_tokens: o.usage.total_tokens,
      cached_tokens: o.usage.cached_tokens,
      cost_usd: o.usage.cost_usd,
    },
    cached: o.cached,
    latency_ms: Math.round(ctx.latencyMs),
  };
}

/**
 * The agent endpoint's SSE events: `start`, `delta` (text), `tool_call` (a server-side tool ran,
 * with its result), then `done` carrying the same `data` object as the JSON response.
 */
export function agentStreamFormat(
  ctx: Omit<AgentResponseContext, 'latencyMs'>,
  startedAt: number,
): StreamFormat {
  return {
    map: (e: PipelineEvent) => {
      switch (e.type) {
        case 'start':
          return [
            {
              type: 'start',
              id: ctx.requestId,
              agent_id: ctx.agentId,
              thread_id: ctx.threadId ?? null,
              service: e.service,
              model: e.model,
            },
          ];
        case 'text':
          return e.text === '' ? [] : [{ type: 'delta', content: e.text }];
        case 'tool_run':
          return [
            {
              type: 'tool_call',
              id: e.run.id,
              name: e.run.name,
              arguments: e.run.arguments,
              result: e.run.result,
              duration_ms: e.run.duration_ms,
            },
          ];
        case 'done':
          return [
            {
              type: 'done',
              data: agentResponseData(e.outcome, {
                ...ctx,
                latencyMs: performance.now() - startedAt,
              }),
            },
          ];
        default:
          return [];
      }
    },
    error: (err: NormalisedError) => ({
      type: 'error',
      error: { code: err.code, message: err.message, request_id: ctx.requestId },
    }),
  };
}
