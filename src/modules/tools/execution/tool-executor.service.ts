import { Injectable, Logger } from '@nestjs/common';
import { EgressError, EgressPolicy, safeRequest } from '../../../common/egress';
import { counter, histogram } from '../../../common/metrics/prom';
import type { ToolCall } from '../../providers';
import { ArgumentValidator } from './argument-validator';
import type { ExecutableTool, ToolRunResult } from './executable-tool';

/** What a tool may send back to the model; more is refused (the model's context is finite). */
export const MAX_TOOL_RESPONSE_BYTES = 256 * 1024;

// No tool names (or any other tenant data) as labels: they are chosen by tenants, so they would
// put tenant data on /metrics and let one tenant grow its series without bound.
const runs = counter('gateway_tool_calls_total', 'Tool executions by outcome', ['outcome']);
const latency = histogram(
  'gateway_tool_call_duration_seconds',
  'Tool execution latency (validated calls that were sent)',
  ['outcome'],
);

/**
 * Runs the model's tool calls against the stored tools: validates arguments first (an invalid
 * call never reaches the tool), then calls each tool's URL through the egress policy with its
 * own timeout, all calls of one round in parallel. Failures become text the model can read.
 */
@Injectable()
export class ToolExecutor {
  private readonly logger = new Logger(ToolExecutor.name);
  private readonly validator = new ArgumentValidator();

  constructor(private readonly egress: EgressPolicy) {}

  runAll(
    calls: ToolCall[],
    tools: ExecutableTool[],
    signal?: AbortSignal,
  ): Promise<ToolRunResult[]> {
    const byName = new Map(tools.map((t) => [t.name, t]));
    return Promise.all(calls.map((call) => this.run(call, byName.get(call.function.name), signal)));
  }

  private async run(
    call: ToolCall,
    tool: ExecutableTool | undefined,
    signal?: AbortSignal,
  ): Promise<ToolRunResult> {
    const started = performance.now();
    const done = (content: string, ok: boolean, error?: ToolRunResult['error']): ToolRunResult => {
      const duration_ms = Math.round(performance.now() - started);
      const outcome = ok ? 'ok' : (error ?? 'error');
      runs.inc({ outcome });
      if (tool && error !== 'invalid_arguments' && error !== 'unknown_tool') {
        latency.observe({ outcome }, duration_ms / 1000);
      }
      return { content, ok, duration_ms, ...(error ? { error } : {}) };
    };

    if (!tool) return done(`Error: unknown tool "${call.function.name}"`, false, 'unknown_tool');
    const checked = this.validator.check(tool, call.function.arguments);
    if (!checked.ok) return done(`Error: ${checked.message}`, false, 'invalid_arguments');

    try {
      const res = await safeRequest(this.egress, tool.url, {
        method: tool.method,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/plain;q=0.9',
          ...tool.headers,
        },
        body: tool.method === 'GET' ? undefined : JSON.stringify(checked.args),
        timeoutMs: tool.timeout_ms,
        maxResponseBytes: MAX_TOOL_RESPONSE_BYTES,
        signal,
      });
      const text = res.body.toString('utf8');
      if (res.status >= 400) {
        return done(
          `Error: tool "${tool.name}" answered HTTP ${res.status}: ${text.slice(0, 2000)}`,
          false,
          'http_error',
        );
      }
      return done(text, true);
    } catch (e) {
      const reason = e instanceof EgressError ? e.reason : 'network';
      const message = e instanceof Error ? e.message : String(e);
      this.logger.warn(`tool ${tool.name} failed (${reason}): ${message}`);
      const error: ToolRunResult['error'] =
        reason === 'blocked' || reason === 'timeout' || reason === 'too_large' ? reason : 'network';
      return done(`Error: tool "${tool.name}" failed: ${message}`, false, error);
    }
  }
}
