import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { retryDelayMs } from '../core/backoff';
import { PermanentJobError, RetryableJobError, type RetryHint } from '../core/errors';
import type { JobEnvelope } from '../core/job-envelope';
import type { Delivery, Disposition } from '../core/job-transport';
import type { JobError, JobRecord } from '../jobs/job.types';
import { JobsRepository } from '../jobs/jobs.repository';
import { PayloadCodec } from '../jobs/payload-codec';
import { queueConfig } from '../queue.config';
import { toJobError } from './job-error';
import { JobHandlerRegistry, type RegisteredJobType } from './job-handler.registry';
import type { JobOutcome } from './job-handler';
import { queueMetrics } from './queue.metrics';

/** How long a dead job's `dead` hook (its final webhook) may take. */
const DEAD_HOOK_TIMEOUT_MS = 15_000;
/**
 * Attempts given back for runs refused before doing anything (an open circuit breaker), per
 * allowed attempt: retries wait out the refusal instead of burning the budget, but a job that
 * is refused forever still ends.
 */
const REFUNDS_PER_ATTEMPT = 4;

/**
 * Turns one delivery into one disposition, keeping the job store in step. This is where
 * idempotency lives, whatever the transport:
 *
 * 1. claim the job (a conditional update that counts the run and takes a lease); a job that is
 *    finished, or held by another live worker, is acked without running again;
 * 2. run the handler; it can save its outcome before side effects so a retry skips ahead;
 * 3. record the end state, and only then let the transport ack. A failed run is released to
 *    `queued` and retried with backoff; after `max_attempts` runs (or a permanent error) the job
 *    is marked dead, dead-lettered, and its handler's `dead` hook tells the owner.
 *
 * Whenever the job store cannot record what happened, the retry carries this run's lease token
 * (the handover), on every path: the next delivery takes the job over from exactly that lease
 * instead of finding it "held" by a run that is long gone.
 *
 * Untracked types (`JobQueue.send`) have no job record: their handler runs on every delivery
 * and is retried until it succeeds.
 */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger('JobRunner');

  constructor(
    private readonly registry: JobHandlerRegistry,
    private readonly store: JobsRepository,
    private readonly codec: PayloadCodec,
    @Inject(queueConfig.KEY) private readonly cfg: ConfigType<typeof queueConfig>,
  ) {}

  async handle(d: Delivery, shutdown: AbortSignal): Promise<Disposition> {
    const { envelope: env } = d;
    const reg = this.registry.get(env.type);
    if (!reg) return { kind: 'dead', cause: 'unhandled', reason: `no handler for ${env.type}` };
    if (reg.untracked) return this.runUntracked(reg, d, shutdown);

    let claim;
    try {
      claim = await this.store.claim(env.org_id, env.id, {
        leaseMs: reg.leaseMs,
        steal: d.redelivered,
        handover: d.handover,
      });
    } catch (e) {
      // The store is unreachable: nothing was counted, so this does not use up an attempt. The
      // handover (if any) travels on: the job may still be "running" under that lease.
      this.logger.warn(`job ${env.id}: job store unavailable, retrying later: ${String(e)}`);
      return { ...this.retry(reg, d.attempt, 'job store unavailable'), handover: d.handover };
    }
    if (claim.kind === 'missing') {
      return { kind: 'dead', cause: 'unhandled', reason: `no job record ${env.id}` };
    }
    if (claim.kind !== 'claimed') {
      queueMetrics.jobs.inc({ type: env.type, outcome: 'duplicate' });
      return { kind: 'ack' };
    }

    const { job, token } = claim;
    // A handed-over run follows one that ended cleanly but could not be recorded; only runs
    // that never ended (each killed its worker) count towards this cap.
    if (job.attempts > job.max_attempts && d.handover === undefined) {
      return this.dead(reg, env, token, 'exhausted', job, {
        code: 'ATTEMPTS_EXHAUSTED',
        message: `The job was started ${job.attempts - 1} times without finishing`,
      });
    }

    const started = performance.now();
    queueMetrics.inFlight.inc({ type: reg.type });
    const signal = AbortSignal.any([shutdown, AbortSignal.timeout(reg.leaseMs)]);
    let outcome: JobOutcome | undefined;
    try {
      const payload = reg.parse(this.codec.open(env.org_id, env.id, job.payload));
      outcome = (await reg.handler.run({
        job,
        payload,
        signal,
        saveOutcome: async (o) => {
          if (!(await this.store.saveOutcome(env.org_id, env.id, token, o))) {
            throw new Error('the job lease was lost');
          }
          job.result = o.result;
          job.error = o.error;
        },
      })) as JobOutcome | undefined;
    } catch (e) {
      return this.failedRun(reg, d, job, token, e);
    } finally {
      queueMetrics.inFlight.dec({ type: reg.type });
      queueMetrics.duration.observe({ type: reg.type }, (performance.now() - started) / 1000);
    }

    const status = outcome?.status ?? 'completed';
    try {
      const held = await this.store.finish(env.org_id, env.id, token, status, {
        result: outcome?.result,
        error: outcome?.error,
      });
      if (!held) this.logger.warn(`job ${env.id}: finished after another worker took it over`);
    } catch (e) {
      // The run succeeded but the store cannot say so: run again (a handler that saved its
      // outcome only repeats its side effect) under our lease, without counting it as failed.
      this.logger.warn(`job ${env.id}: could not record its end, retrying: ${String(e)}`);
      return { ...this.retry(reg, d.attempt, 'job store unavailable'), handover: token };
    }
    queueMetrics.jobs.inc({ type: reg.type, outcome: status });
    return { kind: 'ack' };
  }

  private async failedRun(
    reg: RegisteredJobType,
    d: Delivery,
    job: JobRecord,
    token: string,
    e: unknown,
  ): Promise<Disposition> {
    const env = d.envelope;
    const error = toJobError(e);
    if (error.code === 'INTERNAL')
      this.logger.error(`job ${env.id} (${reg.type}) failed: ${String(e)}`);
    if (e instanceof PermanentJobError) return this.dead(reg, env, token, 'permanent', job, error);
    const hint: RetryHint = e instanceof RetryableJobError ? e.hint : {};
    const refund =
      hint.attempted === false && d.attempt <= REFUNDS_PER_ATTEMPT * Math.max(1, job.max_attempts);
    if (!refund && job.attempts >= job.max_attempts) {
      return this.dead(reg, env, token, 'exhausted', job, error);
    }
    // Backoff by runs counted: a refused run waits out the refusal, not an ever longer backoff.
    const retry = this.retry(reg, job.attempts, error.message, hint);
    const released = await this.store
      .release(env.org_id, env.id, token, error, new Date(Date.now() + retry.delayMs), {
        refund,
      })
      .catch((err: unknown) => {
        this.logger.warn(`job ${env.id}: could not record the failed run: ${String(err)}`);
        return false;
      });
    queueMetrics.retries.inc({ type: reg.type });
    queueMetrics.jobs.inc({ type: reg.type, outcome: 'retried' });
    // Still marked running under our lease: let the retry take it over from us.
    return released ? retry : { ...retry, handover: token };
  }

  /**
   * The next try: exponential backoff by attempt (capped per type), and never sooner than the
   * failure asked for (an open circuit's cool-down plus a little jitter, so the retry lands
   * when the breaker lets a probe through, not inside the refusal).
   */
  private retry(reg: RegisteredJobType, attempt: number, reason: string, hint: RetryHint = {}) {
    let delayMs = retryDelayMs(this.cfg.retryBaseMs, attempt);
    if (reg.maxRetryDelayMs !== undefined) delayMs = Math.min(delayMs, reg.maxRetryDelayMs);
    if (hint.retryAfterMs !== undefined && hint.retryAfterMs > 0) {
      delayMs = Math.max(delayMs, Math.ceil(hint.retryAfterMs * (1.05 + Math.random() * 0.1)));
    }
    return { kind: 'retry' as const, attempt, delayMs, reason };
  }

  private async dead(
    reg: RegisteredJobType,
    env: JobEnvelope,
    token: string,
    cause: 'exhausted' | 'permanent',
    job: JobRecord,
    error: JobError,
  ): Promise<Disposition> {
    try {
      await this.store.markDead(env.org_id, env.id, token, error);
    } catch (err) {
      // Dead-lettering a job the store still shows as running would strand it there: retry
      // instead, handing our lease over; the next run finds the cap reached and tries again.
      this.logger.warn(`job ${env.id}: could not mark it dead, retrying later: ${String(err)}`);
      return { ...this.retry(reg, 1, 'job store unavailable'), handover: token };
    }
    queueMetrics.jobs.inc({ type: reg.type, outcome: 'dead' });
    this.logger.warn(`job ${env.id} (${reg.type}) dead-lettered (${cause}): ${error.message}`);
    await this.tellDead(reg, env, { ...job, status: 'dead', error });
    return { kind: 'dead', cause, reason: error.message };
  }

  /** The handler's `dead` hook, once, bounded; a failure there changes nothing. */
  private async tellDead(reg: RegisteredJobType, env: JobEnvelope, job: JobRecord): Promise<void> {
    if (!reg.handler.dead) return;
    try {
      const payload = reg.parse(this.codec.open(env.org_id, env.id, job.payload));
      await reg.handler.dead({ job, payload, signal: AbortSignal.timeout(DEAD_HOOK_TIMEOUT_MS) });
    } catch (e) {
      this.logger.warn(`job ${env.id}: telling its owner it is dead failed: ${String(e)}`);
    }
  }

  private async runUntracked(
    reg: RegisteredJobType,
    d: Delivery,
    shutdown: AbortSignal,
  ): Promise<Disposition> {
    const env = d.envelope;
    queueMetrics.inFlight.inc({ type: reg.type });
    const started = performance.now();
    try {
      const payload = reg.parse(this.codec.open(env.org_id, env.id, env.payload));
      await reg.handler.run({
        job: untrackedRecord(env, d.attempt),
        payload,
        signal: AbortSignal.any([shutdown, AbortSignal.timeout(reg.leaseMs)]),
        saveOutcome: async () => undefined,
      });
      queueMetrics.jobs.inc({ type: reg.type, outcome: 'completed' });
      return { kind: 'ack' };
    } catch (e) {
      const error = toJobError(e);
      if (e instanceof PermanentJobError) {
        queueMetrics.jobs.inc({ type: reg.type, outcome: 'dead' });
        this.logger.error(`message ${env.id} (${reg.type}) dead-lettered: ${String(e)}`);
        return { kind: 'dead', cause: 'permanent', reason: error.message };
      }
      this.logger.warn(`message ${env.id} (${reg.type}) failed, retrying: ${String(e)}`);
      queueMetrics.retries.inc({ type: reg.type });
      queueMetrics.jobs.inc({ type: reg.type, outcome: 'retried' });
      return this.retry(reg, d.attempt, error.message);
    } finally {
      queueMetrics.inFlight.dec({ type: reg.type });
      queueMetrics.duration.observe({ type: reg.type }, (performance.now() - started) / 1000);
    }
  }
}

/** What the handler of an untracked message sees as its "job": the message, nothing stored. */
function untrackedRecord(env: JobEnvelope, attempt: number): JobRecord {
  const now = new Date();
  return {
    id: env.id,
    org_id: env.org_id,
    type: env.type,
    status: 'running',
    attempts: attempt,
    max_attempts: 0,
    payload: env.payload,
    result: null,
    error: null,
    last_error: null,
    idempotency_key: null,
    request_hash: null,
    lease_token: null,
    lease_until: null,
    run_after: null,
    created_at: now,
    updated_at: now,
    started_at: now,
    finished_at: null,
  };
}
