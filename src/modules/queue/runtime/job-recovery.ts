import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { QueueUnavailableError } from '../core/errors';
import type { JobEnvelope } from '../core/job-envelope';
import { JobTransport } from '../core/job-transport';
import { JobsRepository, type RecoverableJob } from '../jobs/jobs.repository';
import { queueConfig } from '../queue.config';
import { InProcessTransport } from '../transports/in-process/in-process.transport';
import { queueMetrics } from './queue.metrics';

const BATCH = 200;
/** Republished job ids remembered (for their backoff) at most. */
const MAX_REMEMBERED = 10_000;

/**
 * Finds jobs whose message is gone and publishes them again, in every transport mode:
 *
 * - At startup, in-process mode only: the broker lived in memory, so the job store is the only
 *   record of queued and running jobs; all of them are re-published (a running one flagged as a
 *   redelivery, so it is taken over). RabbitMQ keeps its messages across a restart.
 * - Then, periodically, in every mode, the sweeper: a job `running` past its lease (its worker
 *   died and nothing redelivered it), and a job `queued` with nothing due for a while (the
 *   process died between storing the job and the broker's confirm; a retry message went
 *   missing). Such a job is published again. A job whose message was only late gets a second
 *   one, which is harmless: a delivery of a job that is running or finished is acked without
 *   running it. Each job's republishes back off (per instance) so a long backlog is not flooded.
 *
 * In-process mode is per instance: several instances sharing one database without RabbitMQ
 * would take over each other's running jobs at startup. Run RabbitMQ when running more than one.
 */
@Injectable()
export class JobRecovery {
  private readonly logger = new Logger('JobRecovery');
  private running?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  /** Job id -> when it may be republished again, and the gap after that. */
  private readonly republished = new Map<string, { next: number; gap: number }>();
  private readonly intervalMs: number;
  private readonly strandedAfterMs: number;

  constructor(
    private readonly transport: JobTransport,
    private readonly store: JobsRepository,
    @Optional() @Inject(queueConfig.KEY) cfg?: ConfigType<typeof queueConfig>,
  ) {
    // A job is given twice the publish timeout to reach the broker before it counts as stranded.
    const publishTimeout = cfg?.publishTimeoutMs ?? 5000;
    this.strandedAfterMs = 2 * publishTimeout;
    this.intervalMs = Math.max(1000, Math.min(30_000, publishTimeout / 2));
  }

  start(types: string[]): void {
    if (types.length === 0) return;
    const transport = this.transport;
    const startup =
      transport instanceof InProcessTransport ? this.recover(transport, types) : Promise.resolve();
    this.running = startup
      .catch((e: unknown) => this.logger.error(`job recovery stopped early: ${String(e)}`))
      .then(() => this.schedule(types));
  }

  /** Resolves once startup recovery has finished (tests) or been stopped. */
  async done(): Promise<void> {
    await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One sweep for stranded jobs; how many were republished. */
  async sweep(types: string[], now = Date.now()): Promise<number> {
    const stranded = await this.store.scanStranded(
      types,
      { now: new Date(now), queuedBefore: new Date(now - this.strandedAfterMs) },
      BATCH,
    );
    let count = 0;
    for (const job of stranded) {
      if (this.stopped) break;
      const seen = this.republished.get(job.id);
      if (seen && seen.next > now) continue;
      try {
        await this.republish(job);
      } catch (e) {
        if (e instanceof QueueUnavailableError) return count; // the broker is down: next sweep
        throw e;
      }
      const gap = Math.min((seen?.gap ?? this.strandedAfterMs) * 2, 3_600_000);
      this.remember(job.id, { next: now + gap, gap });
      count++;
    }
    if (count > 0) this.logger.warn(`republished ${count} stranded job(s)`);
    return count;
  }

  private schedule(types: string[]): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep(types)
        .then(() => undefined)
        .catch((e: unknown) => this.logger.debug(`job sweep failed: ${String(e)}`))
        .then(() => this.schedule(types));
    }, this.intervalMs);
    this.timer.unref();
  }

  private async republish(job: RecoverableJob): Promise<void> {
    const env = envelope(job);
    if (this.transport instanceof InProcessTransport) {
      // An expired lease: the broker would not redeliver it by itself; take it over.
      this.transport.publishRecovered(env, job.status === 'running');
    } else {
      // An expired lease can be claimed by any delivery; a queued job by any too.
      await this.transport.publish(env);
    }
    queueMetrics.published.inc({ type: job.type, result: 'republished' });
  }

  private remember(id: string, entry: { next: number; gap: number }): void {
    this.republished.delete(id);
    if (this.republished.size >= MAX_REMEMBERED) {
      const oldest = this.republished.keys().next();
      if (!oldest.done) this.republished.delete(oldest.value);
    }
    this.republished.set(id, entry);
  }

  private async recover(transport: InProcessTransport, types: string[]): Promise<void> {
    let after: string | undefined;
    let count = 0;
    while (!this.stopped) {
      const batch = await this.store.scanRecoverable(types, after, BATCH);
      if (batch.length === 0) break;
      for (const job of batch) {
        try {
          transport.publishRecovered(
            envelope(job),
            job.status === 'running',
            // A job waiting out a retry delay keeps waiting (what is left of it).
            job.run_after ? job.run_after.getTime() - Date.now() : 0,
          );
          // Just published: the sweeper leaves it alone for a while.
          this.remember(job.id, {
            next: Date.now() + this.strandedAfterMs,
            gap: this.strandedAfterMs,
          });
          count++;
        } catch (e) {
          if (!(e instanceof QueueUnavailableError)) throw e;
          this.logger.warn(
            `queue full: the rest of the stored jobs are recovered on the next start`,
          );
          return;
        }
      }
      after = batch[batch.length - 1].id;
    }
    if (count > 0) this.logger.log(`re-queued ${count} stored job(s) after a restart`);
  }
}

function envelope(job: RecoverableJob): JobEnvelope {
  return { v: 1, id: job.id, type: job.type, org_id: job.org_id, payload: job.payload };
}
