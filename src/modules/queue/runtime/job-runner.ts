import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { retryDelayMs } from '../core/backoff';
import { PermanentJobError } from '../core/errors';
import type { Delivery, Disposition } from '../core/job-transport';
import type { JobError } from '../jobs/job.types';
import { JobsRepository } from '../jobs/jobs.repository';
import { PayloadCodec } from '../jobs/payload-codec';
import { queueConfig } from '../queue.config';
import { toJobError } from './job-error';
import { JobHandlerRegistry, type RegisteredJobType } from './job-handler.registry';
import type { JobOutcome } from './job-handler';
import { queueMetrics } from './queue.metrics';

/**
 * Turns one delivery into one disposition, keeping the job store in step. This is where
 * idempotency lives, whatever the transport:
 *
 * 1. claim the job (a conditional update that counts the run and takes a lease); a job that is
 *    finished, or held by another live worker, is acked without running again;
 * 2. run the handler; it can save its outcome before side effects so a retry skips ahead;
 * 3. record the end state, and only then let the transport ack. A failed run is released to
 *    `queued` and retried with backoff; after `max_attempts` runs (or a permanent error) the job
 *    is marked dead and dead-lettered.
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

    let claim;
    try {
      claim = await this.store.claim(env.org_id, env.id, {
        leaseMs: reg.leaseMs,
        steal: d.redelivered,
        handover: d.handover,
      });
    } catch (e) {
      // The store is unreachable: nothing was counted, so this does not use up an attempt.
      this.logger.warn(`job ${env.id}: job store unavailable, retrying later: ${String(e)}`);
      return this.retry(reg, d.attempt, 'job store unavailable');
    }
    if (claim.kind === 'missing') {
      return { kind: 'dead', cause: 'unhandled', reason: `no job record ${env.id}` };
    }
    if (claim.kind !== 'claimed') {
      queueMetrics.jobs.inc({ type: env.type, outcome: 'duplicate' });
      return { kind: 'ack' };
    }

    const { job, token } = claim;
    if (job.attempts > job.max_attempts) {
      // Claimed more often than allowed without ever finishing: its runs kill the worker.
      return this.dead(reg, env.org_id, env.id, token, 'exhausted', {
        code: 'ATTEMPTS_EXHAUSTED',
        message: `The job was started ${job.attempts - 1} times without finishing`,
      });
    }

    const started = performance.now();
    queueMetrics.inFlight.inc({ type: reg.type });
    const signal = AbortSignal.any([shutdown, AbortSignal.timeout(reg.leaseMs)]);
    try {
      const payload = reg.parse(this.codec.open(env.org_id, env.id, job.payload));
      const outcome = (await reg.handler.run({
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
      const status = outcome?.status ?? 'completed';
      const held = await this.store.finish(env.org_id, env.id, token, status, {
        result: outcome?.result,
        error: outcome?.error,
      });
      if (!held) this.logger.warn(`job ${env.id}: finished after another worker took it over`);
      queueMetrics.jobs.inc({ type: reg.type, outcome: status });
      return { kind: 'ack' };
    } catch (e) {
      const error = toJobError(e);
      if (error.code === 'INTERNAL')
        this.logger.error(`job ${env.id} (${reg.type}) failed: ${String(e)}`);
      if (e instanceof PermanentJobError) {
        return this.dead(reg, env.org_id, env.id, token, 'permanent', error);
      }
      if (job.attempts >= job.max_attempts) {
        return this.dead(reg, env.org_id, env.id, token, 'exhausted', error);
      }
      const retry = this.retry(reg, job.attempts, error.message);
      const released = await this.store
        .release(env.org_id, env.id, token, error, new Date(Date.now() + retry.delayMs))
        .catch((err: unknown) => {
          this.logger.warn(`job ${env.id}: could not record the failed run: ${String(err)}`);
          return false;
        });
      queueMetrics.retries.inc({ type: reg.type });
      queueMetrics.jobs.inc({ type: reg.type, outcome: 'retried' });
      // Still marked running under our lease: let the retry take it over from us.
      return released ? retry : { ...retry, handover: token };
    } finally {
      queueMetrics.inFlight.dec({ type: reg.type });
      queueMetrics.duration.observe({ type: reg.type }, (performance.now() - started) / 1000);
    }
  }

  private retry(_reg: RegisteredJobType, attempt: number, reason: string) {
    return {
      kind: 'retry' as const,
      attempt,
      delayMs: retryDelayMs(this.cfg.retryBaseMs, attempt),
      reason,
    };
  }

  private async dead(
    reg: RegisteredJobType,
    orgId: string,
    id: string,
    token: string,
    cause: 'exhausted' | 'permanent',
    error: JobError,
  ): Promise<Disposition> {
    try {
      await this.store.markDead(orgId, id, token, error);
    } catch (err) {
      // Dead-lettering a job the store still shows as running would strand it there: retry
      // instead, handing our lease over; the next run finds the cap reached and tries again.
      this.logger.warn(`job ${id}: could not mark it dead, retrying later: ${String(err)}`);
      return { ...this.retry(reg, 1, 'job store unavailable'), handover: token };
    }
    queueMetrics.jobs.inc({ type: reg.type, outcome: 'dead' });
    this.logger.warn(`job ${id} (${reg.type}) dead-lettered (${cause}): ${error.message}`);
    return { kind: 'dead', cause, reason: error.message };
  }
}
