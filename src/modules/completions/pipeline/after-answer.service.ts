import { Injectable, Logger, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppException } from '../../../common/errors';
import { ErrorObserver } from '../../../common/filters/error-observer';
import { normaliseError } from '../../../common/filters/normalise-error';
import { newId } from '../../../common/ids/new-id';
import {
  CALL_LOG_ID_PREFIX,
  type CallRequestSummary,
  type ConversationMessageInput,
} from '../../conversations';
import { toUsageRecord, type UsageRecord, type UsageRow } from '../../metrics';
import type { ChatMessage, ServiceName, Usage } from '../../providers';
import { SpendBudgets } from '../../budgets';
import { TokenBudget } from '../../throttling';
import { BackgroundTasks } from './background-tasks';
import type { CompletionJob, CompletionOutcome } from './completion-job';
import type { RoundListener } from './model-runner';
import { PostAnswerJournal } from './post-answer/post-answer.journal';
import { POST_ANSWER_RECORD_PREFIX, type PostAnswerRecord } from './post-answer/post-answer.record';

/**
 * Everything that happens because an answer was (or was not) produced: one usage row per
 * provider round, the thread append (success only: a failed call appends nothing) and the call
 * log, gathered into one PostAnswerRecord.
 *
 * An answer's record is committed (PostAnswerJournal) before the answer leaves: `succeeded`
 * resolves once it is durable, and rejects (503) when it cannot be, so the caller sends an
 * error instead of an answer that would be missing from the thread, call log or usage. A
 * failure's record is written in the background (retried, best effort): no client was told
 * anything succeeded.
 */
@Injectable()
export class AfterAnswer {
  private readonly logger = new Logger('AfterAnswer');
  /** Usage rows of each running completion's provider rounds, until its record is built. */
  private readonly rounds = new WeakMap<CompletionJob, UsageRecord[]>();

  constructor(
    private readonly tasks: BackgroundTasks,
    private readonly journal: PostAnswerJournal,
    private readonly tokenBudget: TokenBudget,
    /** Logs, counts and reports the failure (streams and async jobs never reach the filter). */
    @Optional() private readonly errors?: ErrorObserver,
    /** Dollar budgets: each round's real cost against the request's hold. */
    @Optional() private readonly spend?: SpendBudgets,
  ) {}

  roundRecorder(job: CompletionJob): RoundListener {
    const rows = this.roundsOf(job);
    return (round) => {
      // Real usage against the request's token reservation; record() never throws or waits.
      this.tokenBudget.record(job.principal, round.usage.total_tokens);
      this.spend?.record(job.principal, round.usage.cost_usd);
      this.addRow(
        rows,
        usageRow(job, {
          service: round.service,
          model: round.model,
          usage: round.usage,
          latencyMs: round.latency_ms,
          attempt: round.attempts,
        }),
      );
    };
  }

  /** Commits the answer's record; resolves once it is durable (503 when it cannot be). */
  async succeeded(
    job: CompletionJob,
    outcome: CompletionOutcome,
    latencyMs: number,
  ): Promise<void> {
    const usage = [...this.roundsOf(job)];
    if (outcome.cached) {
      // A cache hit made no provider call, but it is still usage worth seeing.
      this.addRow(
        usage,
        usageRow(job, { service: outcome.service, model: outcome.model, latencyMs, cached: true }),
      );
    }
    const thread = job.thread;
    const record = this.record(job, completionSummary(job), latencyMs, usage, {
      service: outcome.service,
      model: outcome.model,
      outcome: 'success',
      input_tokens: outcome.usage.input_tokens,
      output_tokens: outcome.usage.output_tokens,
      cached_tokens: outcome.usage.cached_tokens,
      cost_usd: outcome.usage.cost_usd,
      cached: outcome.cached,
    });
    if (thread) {
      record.exchange = {
        thread_id: thread.threadId,
        sub_thread_id: thread.subThreadId ?? null,
        // Not the request id: clients may reuse x-request-id values across calls.
        exchange_id: job.exchangeId ?? `xch_${randomUUID()}`,
        messages: exchangeMessages([...job.newMessages, ...outcome.produced], outcome),
      };
    }
    await this.journal.commit(record);
    // Committed: should the caller fail now after all, its rounds are not written twice.
    this.rounds.delete(job);
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
    const usage = [...this.roundsOf(job)];
    this.rounds.delete(job);
    this.addRow(
      usage,
      usageRow(job, { service: job.service, model: job.model, latencyMs, errorCode: code }),
    );
    const record = this.record(job, completionSummary(job), latencyMs, usage, {
      service: job.service,
      model: job.model,
      outcome: 'error',
      input_tokens: 0,
      output_tokens: 0,
      cached_tokens: 0,
      cost_usd: null,
      cached: false,
      error_code: code,
    });
    this.tasks.schedule('post_answer.failure', () => this.journal.commit(record));
  }

  /**
   * A stream whose client left before it ended: nobody was answered, but the provider rounds
   * that finished were made (and paid for); their usage rows are written in the background.
   */
  abandoned(job: CompletionJob): void {
    const usage = this.rounds.get(job);
    this.rounds.delete(job);
    if (!usage || usage.length === 0) return;
    const record: PostAnswerRecord = {
      id: newId(POST_ANSWER_RECORD_PREFIX),
      org_id: job.principal.orgId,
      at: new Date(),
      exchange: null,
      call_log: null,
      usage,
    };
    this.tasks.schedule('post_answer.abandoned', () => this.journal.commit(record));
  }

  /**
   * A single provider call that is not a completion (an embeddings request): the same usage
   * row and call log a completion leaves. A success's record is committed before the answer
   * leaves (503 when it cannot be); a failure's is written in the background, best effort.
   */
  async singleCall(call: SingleCall): Promise<void> {
    const { usage, latencyMs } = call;
    const ok = call.error === undefined;
    if (ok) this.tokenBudget.record(call.principal, usage.total_tokens);
    if (ok) this.spend?.record(call.principal, usage.cost_usd);
    const code = ok
      ? null
      : call.error instanceof AppException
        ? call.error.code
        : normaliseError(call.error).code;
    const rows: UsageRecord[] = [];
    this.addRow(
      rows,
      usageRow(call, {
        service: call.service,
        model: call.model,
        usage,
        latencyMs,
        errorCode: code,
        attempt: call.attempts,
      }),
    );
    const record = this.record(call, call.request, latencyMs, rows, {
      service: call.service,
      model: call.model,
      outcome: ok ? 'success' : 'error',
      input_tokens: usage.input_tokens,
      output_tokens: usage.output_tokens,
      cached_tokens: usage.cached_tokens,
      cost_usd: ok ? usage.cost_usd : null,
      cached: false,
      error_code: code,
    });
    if (ok) await this.journal.commit(record);
    else this.tasks.schedule('post_answer.failure', () => this.journal.commit(record));
  }

  private record(
    job: Caller,
    request: CallRequestSummary,
    latencyMs: number,
    usage: UsageRecord[],
    log: Pick<
      NonNullable<PostAnswerRecord['call_log']>,
      | 'service'
      | 'model'
      | 'outcome'
      | 'input_tokens'
      | 'output_tokens'
      | 'cached_tokens'
      | 'cost_usd'
      | 'cached'
      | 'error_code'
    >,
  ): PostAnswerRecord {
    const at = new Date();
    return {
      id: newId(POST_ANSWER_RECORD_PREFIX),
      org_id: job.principal.orgId,
      at,
      exchange: null,
      call_log: {
        id: newId(CALL_LOG_ID_PREFIX),
        org_id: job.principal.orgId,
        user_id: job.principal.userId,
        agent_id: job.agentId ?? null,
        thread_id: job.thread?.threadId ?? null,
        request_id: job.requestId,
        latency_ms: Math.round(latencyMs),
        total_tokens: (log.input_tokens ?? 0) + (log.output_tokens ?? 0),
        request,
        created_at: at,
        ...log,
      },
      usage,
    };
  }

  private roundsOf(job: CompletionJob): UsageRecord[] {
    let rows = this.rounds.get(job);
    if (!rows) {
      rows = [];
      this.rounds.set(job, rows);
    }
    return rows;
  }

  /** Validated here, so one bad value is dropped alone instead of failing the whole record. */
  private addRow(rows: UsageRecord[], row: UsageRow): void {
    try {
      rows.push(toUsageRecord(row));
    } catch (e) {
      this.logger.warn(`usage row dropped: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

/** Who made a call, as usage rows and call logs name them (a completion job is one). */
type Caller = Pick<CompletionJob, 'principal' | 'requestId' | 'agentId' | 'thread'>;

/** What one usage row says of a call, beyond who made it. */
interface RowFacts {
  service: string;
  model: string;
  /** Tokens and cost the call used; none (zeros, no cost) for a cache hit or a failure. */
  usage?: Omit<Usage, 'total_tokens'>;
  latencyMs: number;
  /** Set when the call failed. */
  errorCode?: string | null;
  /** Served from the response cache (no provider call was made). */
  cached?: boolean;
  attempt?: number;
}

/** The one shape of a usage row, for a provider round, a cache hit, a failure or a single call. */
function usageRow(who: Caller, f: RowFacts): UsageRow {
  return {
    time: new Date(),
    org_id: who.principal.orgId,
    user_id: who.principal.userId,
    agent_id: who.agentId,
    thread_id: who.thread?.threadId,
    service: f.service,
    model: f.model,
    input_tokens: f.usage?.input_tokens ?? 0,
    output_tokens: f.usage?.output_tokens ?? 0,
    cached_tokens: f.usage?.cached_tokens ?? 0,
    reasoning_tokens: f.usage?.reasoning_tokens,
    cost_usd: f.usage ? f.usage.cost_usd : 0,
    latency_ms: Math.round(f.latencyMs),
    status: f.errorCode ? 'error' : 'success',
    error_code: f.errorCode,
    cached: f.cached ?? false,
    attempt: f.attempt,
  };
}

/** A provider call recorded on its own (see `AfterAnswer.singleCall`). */
export interface SingleCall extends Caller {
  service: ServiceName;
  model: string;
  /** What was asked, without the input itself (e.g. `{endpoint, inputs, dimensions}`). */
  request: CallRequestSummary;
  /** Zero tokens for a failure. */
  usage: Usage;
  latencyMs: number;
  attempts?: number;
  /** Set when the call failed. */
  error?: unknown;
}

/** What a completion asked, for its call log (never the prompt itself). */
function completionSummary(job: CompletionJob): CallRequestSummary {
  return {
    messages: job.messages.length,
    tools: (job.tools ?? []).length,
    server_tools: job.serverTools.length,
    cache_ttl: job.cacheTtl,
  };
}

/** The exchange's messages in stored form; its total usage sits on its final message. */
function exchangeMessages(
  messages: ChatMessage[],
  meta: { service: string; model: string; usage: Usage },
): ConversationMessageInput[] {
  const last = messages.length - 1;
  return messages.map((m, i) => ({
    role: m.role,
    content: m.content,
    tool_calls: m.role === 'assistant' ? (m.tool_calls ?? null) : null,
    tool_call_id: m.role === 'tool' ? m.tool_call_id : null,
    name: 'name' in m ? (m.name ?? null) : null,
    model: m.role === 'assistant' ? meta.model : null,
    service: m.role === 'assistant' ? meta.service : null,
    usage: i === last ? meta.usage : null,
  }));
}
