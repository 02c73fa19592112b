import { Injectable } from '@nestjs/common';
import {
  ProvidersService,
  ThinkingCollector,
  type ChatMessage,
  type ChatRequest,
  type ChatResult,
  type FinishReason,
  type ThinkingBlock,
  type ToolCall,
  type Usage,
} from '../../providers';
import { ToolExecutor } from '../../tools';
import type { CompletionJob, CompletionOutcome, PipelineEvent, ToolRun } from './completion-job';
import { addFragment, AlternativeCollector } from './streamed-choices';
import { addUsage, ZERO_USAGE } from './usage-math';

/** Called once per provider round (tool rounds included), for metrics. */
export type RoundListener = (round: {
  service: string;
  model: string;
  usage: Usage;
  latency_ms: number;
  attempts: number;
}) => void;

/**
 * Calls the model and, when it asks for server-side tools, runs them and calls it again, up to
 * the job's iteration cap (DESIGN flow 2). Tool calls for client tools end the loop and go back
 * to the caller, as with OpenAI.
 */
@Injectable()
export class ModelRunner {
  constructor(
    private readonly providers: ProvidersService,
    private readonly tools: ToolExecutor,
  ) {}

  async run(
    job: CompletionJob,
    signal: AbortSignal | undefined,
    onRound: RoundListener,
  ): Promise<CompletionOutcome> {
    const messages = [...job.messages];
    const produced: ChatMessage[] = [];
    const runs: ToolRun[] = [];
    let usage = ZERO_USAGE;
    for (let round = 1; ; round++) {
      const started = performance.now();
      const result = await this.providers.complete(
        this.request(job, messages),
        this.callOptions(job, signal),
      );
      onRound({
        service: result.service,
        model: result.model,
        usage: result.usage,
        latency_ms: performance.now() - started,
        attempts: result.attempts,
      });
      usage = addUsage(usage, result.usage);
      const assistant = assistantMessage(result.content, result.tool_calls, result.thinking);
      messages.push(assistant);
      produced.push(assistant);
      if (!this.shouldRunTools(job, result.finish_reason, result.tool_calls, round)) {
        return outcome(result, usage, runs, round, produced);
      }
      const results = await this.executeTools(job, result.tool_calls, signal);
      runs.push(...results.runs);
      messages.push(...results.messages);
      produced.push(...results.messages);
    }
  }

  async *stream(
    job: CompletionJob,
    signal: AbortSignal,
    onRound: RoundListener,
  ): AsyncGenerator<PipelineEvent> {
    const messages = [...job.messages];
    const produced: ChatMessage[] = [];
    const runs: ToolRun[] = [];
    let usage = ZERO_USAGE;
    let started = false;
    for (let round = 1; ; round++) {
      const t0 = performance.now();
      let text = '';
      let finish: FinishReason = 'stop';
      let stop: string | undefined;
      const thinking = new ThinkingCollector();
      let roundUsage: Usage | undefined;
      let head:
        | { id: string; service: CompletionOutcome['service']; model: string; created: number }
        | undefined;
      const calls = new Map<number, ToolCall>();
      // Choices 1..n-1 of an n > 1 answer: forwarded as they come, collected for the outcome.
      const alternatives = new AlternativeCollector();
      const clientTools = job.serverTools.length === 0;
      for await (const e of this.providers.stream(
        this.request(job, messages),
        this.callOptions(job, signal),
      )) {
        switch (e.type) {
          case 'start':
            head = { id: e.id, service: e.service, model: e.model, created: e.created };
            if (!started) {
              started = true;
              yield e;
            }
            break;
          case 'text':
            if (e.choice) alternatives.text(e.choice, e.text);
            else text += e.text;
            yield e;
            break;
          case 'thinking':
            thinking.add(e);
            yield e;
            break;
          case 'tool_call': {
            if (e.choice) {
              addFragment(alternatives.calls(e.choice), e);
              yield e;
              break;
            }
            addFragment(calls, e);
            // Client tools: the fragments are the answer. Server tools: run them below instead.
            if (clientTools) yield e;
            break;
          }
          case 'finish':
            if (e.choice) {
              alternatives.finish(e.choice, e.finish_reason);
              break;
            }
            finish = e.finish_reason;
            stop = e.stop_sequence;
            break;
          case 'usage':
            roundUsage = e.usage;
            break;
        }
      }
      const toolCalls = [...calls.entries()].sort(([a], [b]) => a - b).map(([, c]) => c);
      const u = roundUsage ?? ZERO_USAGE;
      onRound({
        service: head?.service ?? job.service,
        model: head?.model ?? job.model,
        usage: u,
        latency_ms: performance.now() - t0,
        attempts: 1,
      });
      usage = addUsage(usage, u);
      const thoughts = thinking.result();
      const assistant = assistantMessage(text === '' ? null : text, toolCalls, thoughts);
      messages.push(assistant);
      produced.push(assistant);
      if (!this.shouldRunTools(job, finish, toolCalls, round)) {
        const result: ChatResult = {
          id: head?.id ?? job.requestId,
          service: head?.service ?? job.service,
          model: head?.model ?? job.model,
          content: text === '' ? null : text,
          tool_calls: toolCalls,
          finish_reason: finish,
          ...(stop !== undefined ? { stop_sequence: stop } : {}),
          ...(thoughts ? { thinking: thoughts } : {}),
          ...alternatives.result(),
          usage: u,
          created: head?.created ?? Math.floor(Date.now() / 1000),
          attempts: 1,
        };
        yield { type: 'done', outcome: outcome(result, usage, runs, round, produced) };
        return;
      }
      const results = await this.executeTools(job, toolCalls, signal);
      for (const run of results.runs) yield { type: 'tool_run', run };
      runs.push(...results.runs);
      messages.push(...results.messages);
      produced.push(...results.messages);
    }
  }

  private shouldRunTools(
    job: CompletionJob,
    finish: FinishReason,
    calls: ToolCall[],
    round: number,
  ): boolean {
    return (
      job.serverTools.length > 0 &&
      calls.length > 0 &&
      (finish === 'tool_calls' || finish === 'stop') &&
      round <= job.maxToolIterations
    );
  }

  private async executeTools(
    job: CompletionJob,
    calls: ToolCall[],
    signal: AbortSignal | undefined,
  ) {
    const results = await this.tools.runAll(calls, job.serverTools, signal);
    const runs: ToolRun[] = calls.map((c, i) => ({
      id: c.id,
      name: c.function.name,
      arguments: c.function.arguments,
      result: results[i].content,
      ok: results[i].ok,
      duration_ms: results[i].duration_ms,
    }));
    const messages: ChatMessage[] = calls.map((c, i) => ({
      role: 'tool',
      tool_call_id: c.id,
      content: results[i].content,
    }));
    return { runs, messages };
  }

  private request(job: CompletionJob, messages: ChatMessage[]): ChatRequest {
    return {
      service: job.service,
      model: job.model,
      messages,
      params: job.params,
      tools: job.tools,
      tool_choice: job.tool_choice,
      parallel_tool_calls: job.parallel_tool_calls,
      response_format: job.response_format,
      user: job.user,
    };
  }

  private callOptions(job: CompletionJob, signal: AbortSignal | undefined) {
    return {
      signal,
      orgId: job.principal.orgId,
      requestId: job.requestId,
      fallbacks: job.fallbacks,
    };
  }
}

function assistantMessage(
  content: string | null,
  calls: ToolCall[],
  thinking?: ThinkingBlock[],
): ChatMessage {
  // Thinking stays with its turn: Anthropic needs it back in the next round of a tool loop.
  const extra = thinking ? { thinking } : {};
  return calls.length > 0
    ? { role: 'assistant', content, tool_calls: calls, ...extra }
    : { role: 'assistant', content: content ?? '', ...extra };
}

function outcome(
  result: ChatResult,
  usage: Usage,
  runs: ToolRun[],
  rounds: number,
  produced: ChatMessage[],
): CompletionOutcome {
  return {
    id: result.id,
    service: result.service,
    model: result.model,
    content: result.content,
    tool_calls: runs.length > 0 && result.finish_reason !== 'tool_calls' ? [] : result.tool_calls,
    finish_reason: result.finish_reason,
    ...(result.stop_sequence !== undefined ? { stop_sequence: result.stop_sequence } : {}),
    ...(result.thinking ? { thinking: result.thinking } : {}),
    ...(result.alternatives?.length ? { alternatives: result.alternatives } : {}),
    tool_runs: runs,
    usage,
    created: result.created,
    rounds,
    cached: false,
    produced,
  };
}
