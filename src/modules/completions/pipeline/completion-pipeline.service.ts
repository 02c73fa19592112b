import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { limitsConfig } from '../../../config';
import { AppException, ErrorCode } from '../../../common/errors';
import { cacheKeyFor, ResponseCache } from '../../cache';
import type { ChatRequest } from '../../providers';
import { AfterAnswer } from './after-answer.service';
import type { CompletionJob, CompletionOutcome, PipelineEvent } from './completion-job';
import { ModelRunner, type RoundListener } from './model-runner';
import { replayAsEvents } from './replay';

/**
 * The one pipeline behind both completion endpoints (DESIGN flow 1): cache lookup -> provider
 * call (with the tool loop) -> cache store -> the conversation, call log and metrics record,
 * made durable before the answer is handed back (streams: before their final event), so an
 * answer the client received is never missing from any of them.
 */
@Injectable()
export class CompletionPipeline {
  constructor(
    private readonly runner: ModelRunner,
    private readonly cache: ResponseCache,
    private readonly after: AfterAnswer,
    @Inject(limitsConfig.KEY) private readonly limits: ConfigType<typeof limitsConfig>,
  ) {}

  async complete(job: CompletionJob, signal?: AbortSignal): Promise<CompletionOutcome> {
    const started = performance.now();
    const rounds = this.after.roundRecorder(job);
    try {
      const outcome = await this.produce(job, signal, rounds);
      await this.after.succeeded(job, outcome, performance.now() - started);
      return outcome;
    } catch (e) {
      const error = e instanceof LeaderGone ? e.original : e;
      // A client that left (its signal cancelled the call) was never answered, and nothing
      // failed: only the usage of the rounds that finished is kept, as for a stream.
      if (signal?.aborted) this.after.abandoned(job);
      else this.after.failed(job, error, performance.now() - started);
      throw error;
    }
  }

  /**
   * A streamed completion. Upstream failures before the first event surface from the first
   * `next()`, so the HTTP layer can still answer with a proper error status. The final `done`
   * event is yielded only once the answer's record is durable; if it cannot be, the stream
   * fails instead (the client never gets an answer that was not recorded).
   */
  async *stream(job: CompletionJob, signal: AbortSignal): AsyncGenerator<PipelineEvent> {
    const started = performance.now();
    const rounds = this.after.roundRecorder(job);
    const key =
      job.cacheTtl > 0 ? cacheKeyFor(job.principal.orgId, this.keyRequest(job)) : undefined;
    let settled = false;
    try {
      if (key) {
        const hit = await this.cache.get<CompletionOutcome>(key);
        if (hit) {
          for await (const e of replayAsEvents(asCacheHit(hit))) {
            if (e.type === 'done') {
              await this.after.succeeded(job, e.outcome, performance.now() - started);
              settled = true;
            }
            yield e;
          }
          return;
        }
      }
      for await (const e of this.runner.stream(job, signal, rounds)) {
        if (e.type === 'done') {
          if (key) await this.cache.set(key, e.outcome, job.cacheTtl);
          await this.after.succeeded(job, e.outcome, performance.now() - started);
          settled = true;
        }
        yield e;
      }
      if (!settled)
        throw new AppException(
          ErrorCode.PROVIDER_ERROR,
          'The provider stream ended without an answer',
        );
    } catch (e) {
      // The client left while a provider call was running (its abort surfaced as an error):
      // recorded as below, not as a failure.
      if (signal.aborted) throw e;
      settled = true;
      this.after.failed(job, e, performance.now() - started);
      throw e;
    } finally {
      // The client left mid-stream (the generator was closed early, or its call cancelled).
      if (!settled) this.after.abandoned(job);
    }
  }

  private async produce(
    job: CompletionJob,
    signal: AbortSignal | undefined,
    rounds: RoundListener,
  ): Promise<CompletionOutcome> {
    if (job.cacheTtl <= 0) return this.runner.run(job, signal, rounds);
    const key = cacheKeyFor(job.principal.orgId, this.keyRequest(job));
    const hit = await this.cache.get<CompletionOutcome>(key);
    if (hit) return asCacheHit(hit);
    const runAndStore = async () => {
      const outcome = await this.runner.run(job, signal, rounds);
      await this.cache.set(key, outcome, job.cacheTtl);
      return outcome;
    };
    try {
      // Concurrent identical misses share one provider call; the followers did not pay for it.
      const { value, leader } = await this.cache.singleFlight(key, async () => {
        try {
          return await runAndStore();
        } catch (e) {
          throw signal?.aborted ? new LeaderGone(e) : e;
        }
      });
      return leader ? value : asCacheHit(value);
    } catch (e) {
      // The shared call was cancelled by its leader's client leaving; a follower still
      // waiting makes the call itself.
      if (e instanceof LeaderGone && !signal?.aborted) return runAndStore();
      throw e;
    }
  }

  private keyRequest(job: CompletionJob): ChatRequest {
    return {
      service: job.service,
      model: job.model,
      messages: job.messages,
      params: job.params,
      tools: job.tools,
      tool_choice: job.tool_choice,
      parallel_tool_calls: job.parallel_tool_calls,
      response_format: job.response_format,
    };
  }

  /** The deployment's default TTL, for callers that did not choose one. */
  get defaultCacheTtl(): number {
    return this.limits.cacheTtlSeconds;
  }

  /** The deployment's STRICT_PARAMS: unsupported parameters are refused instead of dropped. */
  get strictParams(): boolean {
    return this.limits.strictParams;
  }
}

/** A shared (single-flight) call that failed because its leader's client left. */
class LeaderGone extends Error {
  constructor(readonly original: unknown) {
    super('the caller that led a shared provider call left');
  }
}

function asCacheHit(o: CompletionOutcome): CompletionOutcome {
  return { ...o, cached: true, usage: { ...o.usage, cost_usd: 0 } };
}
