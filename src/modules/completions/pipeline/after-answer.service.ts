import { Injectable, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppException } from '../../../common/errors';
import { ErrorObserver } from '../../../common/filters/error-observer';
import { normaliseError } from '../../../common/filters/normalise-error';
import { TokenBudget } from '../../throttling';
import { BackgroundTasks } from './background-tasks';
import type { CompletionJob, CompletionOutcome } from './completion-job';
import type { RoundListener } from './model-runner';
import { CallLogSink, ThreadStore, UsageSink } from './ports';

/**
 * Everything that happens because an answer was (or was not) produced: one metrics row per
 * provider round, the thread append (success only: a failed call appends nothing) and the call
 * log. Metrics are buffered synchronously; the writes run as background tasks.
 */
@Injectable()
export class AfterAnswer {
  constructor(
    private readonly tasks: BackgroundTasks,
    private readonly threads: ThreadStore,
    private readonly callLogs: CallLogSink,
    private readonly usage: UsageSink,
    private readonly tokenBudget: TokenBudget,
    /** Logs, counts and reports the failure (streams and async jobs never reach the filter). */
    @Optional() private readonly errors?: ErrorObserver,
  ) {}

  roundRecorder(job: CompletionJob): RoundListener {
    return (round) => {
      // Real usage against the request's token reservation; record() never throws or waits.
      this.tokenBudget.record(job.principal, round.usage.total_tokens);
      this.usage.record({
        time: new Date(),
        org_id: job.principal.orgId,
        user_id: job.principal.userId,
        agent_id: job.agentId,
        thread_id: job.thread?.threadId,
        service: round.service,
        model: round.model,
        input_tokens: round.usage.input_tokens,
        output_tokens: round.usage.output_tokens,
        cached_tokens: round.usage.cached_tokens,
        reasoning_tokens: round.usage.reasoning_tokens,
        cost_usd: round.usage.cost_usd,
        latency_ms: Math.round(round.latency_ms),
        status: 'success',
        cached: false,
        attempt: round.attempts,
      });
    };
  }

  succeeded(job: CompletionJob, outcome: CompletionOutcome, latencyMs: number): void {
    if (outcome.cached) {
      // A cache hit made no provider call, but it is still usage worth seeing.
      this.usage.record({
        time: new Date(),
        org_id: job.principal.orgId,
        user_id: job.principal.userId,
        agent_id: job.agentId,
        thread_id: job.thread?.threadId,
        service: outcome.service,
        model: outcome.model,
        input_tokens: 0,
        output_tokens: 0,
        cached_tokens: 0,
        cost_usd: 0,
        latency_ms: Math.round(latencyMs),
        status: 'success',
        cached: true,
      });
    }
    const thread = job.thread;
    if (thread) {
      const messages = [...job.newMessages, ...outcome.produced];
      // Not the request id: clients may reuse x-request-id values across calls.
      const exchangeId = `xch_${randomUUID()}`;
      this.tasks.schedule('conversation.append', () =>
        this.threads.appendExchange(
          job.principal.orgId,
          thread.threadId,
          thread.subThreadId,
          messages,
          {
            service: outcome.service,
            model: outcome.model,
            usage: outcome.usage,
            requestId: job.requestId,
            exchangeId,
          },
        ),
      );
    }
    this.tasks.schedule('call_log.record', () =>
      this.callLogs.record({
        ...this.base(job, latencyMs),
        service: outcome.service,
        model: outcome.model,
        outcome: 'success',
        input_tokens: outcome.usage.input_tokens,
        output_tokens: outcome.usage.output_tokens,
        cached_tokens: outcome.usage.cached_tokens,
        cost_usd: outcome.usage.cost_usd,
        cached: outcome.cached,
      }),
    );
  }

  failed(job: CompletionJob, error: unknown, latencyMs: number): void {
    this.errors?.onPipelineError(error, {
      request_id: job.requestId,
      org_id: job.principal.orgId,
      user_id: job.principal.userId,
      service: job.service,
      model: job.model,
      agent_id: job.agentId,
    });
    const code = error instanceof AppException ? error.code : normaliseError(error).code;
    this.usage.record({
      time: new Date(),
      org_id: job.principal.orgId,
      user_id: job.principal.userId,
      agent_id: job.agentId,
      thread_id: job.thread?.threadId,
      service: job.service,
      model: job.model,
      input_tokens: 0,
      output_tokens: 0,
      cached_tokens: 0,
      cost_usd: 0,
      latency_ms: Math.round(latencyMs),
      status: 'error',
      error_code: code,
      cached: false,
    });
    this.tasks.schedule('call_log.record', () =>
      this.callLogs.record({
        ...this.base(job, latencyMs),
        service: job.service,
        model: job.model,
        outcome: 'error',
        input_tokens: 0,
        output_tokens: 0,
        cached_tokens: 0,
        cost_usd: null,
        cached: false,
        error_code: code,
      }),
    );
  }

  private base(job: CompletionJob, latencyMs: number) {
    return {
      org_id: job.principal.orgId,
      user_id: job.principal.userId,
      agent_id: job.agentId,
      thread_id: job.thread?.threadId,
      request_id: job.requestId,
      latency_ms: Math.round(latencyMs),
      request_summary: {
        messages: job.messages.length,
        tools: (job.tools ?? []).length,
        server_tools: job.serverTools.length,
        cache_ttl: job.cacheTtl,
      },
    };
  }
}
