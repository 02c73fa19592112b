import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppException } from '../../../common/errors';
import {
  JobHandlerRegistry,
  RetryableJobError,
  WebhookDelivery,
  type JobContext,
  type JobError,
  type JobHandler,
  type JobOutcome,
  type JobRecord,
  type JsonValue,
} from '../../queue';
import { agentResponseData } from '../ingress/agent/agent.adapter';
import { CompletionPipeline } from '../pipeline/completion-pipeline.service';
import { JobBuilder } from '../pipeline/job-builder';
import {
  COMPLETION_JOB,
  parseCompletionPayload,
  type CompletionJobPayload,
  type CompletionWebhookBody,
} from './completion-job.payload';

/**
 * Runs an async completion: rebuilds the CompletionJob from the stored request (as the
 * synchronous endpoint does), runs the pipeline, saves the answer, then POSTs it to the webhook.
 *
 * Idempotent in two steps: once an answer (or a definite error) is saved, later runs — after a
 * failed webhook POST — only deliver it; the provider is not called (or paid) again. Provider
 * trouble (5xx, 429, timeouts) is retried with backoff; a definite client error (unknown agent,
 * invalid parameters) is the job's answer: delivered, and the job ends `failed`.
 */
@Injectable()
export class CompletionJobHandler implements JobHandler<CompletionJobPayload>, OnModuleInit {
  constructor(
    private readonly registry: JobHandlerRegistry,
    private readonly builder: JobBuilder,
    private readonly pipeline: CompletionPipeline,
    private readonly webhooks: WebhookDelivery,
  ) {}

  onModuleInit(): void {
    this.registry.register(COMPLETION_JOB, this, { parse: parseCompletionPayload });
  }

  /** A dead job's owner hears about it: one last POST with the failure (best effort). */
  async dead({
    job,
    payload,
    signal,
  }: {
    job: JobRecord;
    payload: CompletionJobPayload;
    signal: AbortSignal;
  }): Promise<void> {
    // A URL the egress policy refuses cannot be told anything.
    if (job.error?.code === 'WEBHOOK_BLOCKED') return;
    const body: CompletionWebhookBody = {
      job_id: job.id,
      type: COMPLETION_JOB,
      status: 'dead',
      error: job.error ?? { code: 'INTERNAL', message: 'The job failed' },
    };
    await this.webhooks.deliver(
      job.org_id,
      payload.webhook,
      body,
      { jobId: job.id, attempt: job.attempts },
      signal,
    );
  }

  async run(ctx: JobContext<CompletionJobPayload>): Promise<JobOutcome> {
    const { job, payload, signal } = ctx;
    if (job.result === null && job.error === null) {
      const outcome = await this.produce(job, payload, signal);
      await ctx.saveOutcome(outcome);
    }
    const body = webhookBody(job);
    await this.webhooks.deliver(
      job.org_id,
      payload.webhook,
      body,
      { jobId: job.id, attempt: job.attempts },
      signal,
    );
    return { status: body.status === 'completed' ? 'completed' : 'failed' };
  }

  private async produce(
    job: JobRecord,
    payload: CompletionJobPayload,
    signal: AbortSignal,
  ): Promise<{ result: JsonValue | null; error: JobError | null }> {
    const started = performance.now();
    try {
      const cj = await this.builder.fromAgentRequest(
        payload.request,
        payload.principal,
        job.id,
        this.pipeline.defaultCacheTtl,
      );
      // One exchange per job: a rerun after a crash (answer committed, outcome not yet saved)
      // appends the same exchange id, which the thread stores once.
      cj.exchangeId = `xch_${job.id}`;
      const outcome = await this.pipeline.complete(cj, signal);
      const data = agentResponseData(outcome, {
        agentId: cj.agentId ?? '',
        threadId: cj.thread?.threadId,
        requestId: job.id,
        latencyMs: performance.now() - started,
      });
      return { result: data as unknown as JsonValue, error: null };
    } catch (e) {
      if (isDefiniteFailure(e))
        return { result: null, error: { code: e.code, message: e.message } };
      throw withRetryHint(e);
    }
  }
}

/**
 * Provider trouble that says when to come back (an open circuit breaker, a Retry-After) is
 * retried no sooner than that; a call the breaker refused was not made, so it does not use up
 * an attempt.
 */
function withRetryHint(e: unknown): unknown {
  if (!(e instanceof AppException)) return e;
  const retryAfterMs = (e as { retryAfterMs?: unknown }).retryAfterMs;
  if (typeof retryAfterMs !== 'number') return e;
  const refused = (e.details as { reason?: unknown } | undefined)?.reason === 'circuit_open';
  return new RetryableJobError(e.message, e.code, { retryAfterMs, attempted: !refused });
}

/** A 4xx other than 408/429 will not change by retrying: it is the job's answer. */
function isDefiniteFailure(e: unknown): e is AppException {
  return e instanceof AppException && e.status < 500 && e.status !== 408 && e.status !== 429;
}

function webhookBody(job: JobRecord): CompletionWebhookBody {
  if (job.error !== null) {
    return { job_id: job.id, type: COMPLETION_JOB, status: 'failed', error: job.error };
  }
  return { job_id: job.id, type: COMPLETION_JOB, status: 'completed', data: job.result };
}
