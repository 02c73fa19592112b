import { Injectable, Logger } from '@nestjs/common';
import { QueueUnavailableError } from '../core/errors';
import { JobTransport } from '../core/job-transport';
import { JobsRepository } from '../jobs/jobs.repository';
import { InProcessTransport } from '../transports/in-process/in-process.transport';

const BATCH = 200;

/**
 * In-process mode only: the broker lives in memory, so after a restart (or crash) the job store
 * is the only record of queued and running jobs. This re-publishes them at startup; a job found
 * `running` was interrupted mid-run, so it comes back flagged as a redelivery and is taken over.
 * (With RabbitMQ the broker keeps its messages and nothing needs recovering.)
 *
 * In-process mode is per instance: several instances sharing one database without RabbitMQ would
 * take over each other's running jobs at startup. Run RabbitMQ when running more than one.
 */
@Injectable()
export class JobRecovery {
  private readonly logger = new Logger('JobRecovery');
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly transport: JobTransport,
    private readonly store: JobsRepository,
  ) {}

  start(types: string[]): void {
    if (!(this.transport instanceof InProcessTransport) || types.length === 0) return;
    const transport = this.transport;
    this.running = this.recover(transport, types).catch((e: unknown) =>
      this.logger.error(`job recovery stopped early: ${String(e)}`),
    );
  }

  /** Resolves once recovery has finished (tests) or been stopped. */
  async done(): Promise<void> {
    await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
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
            { v: 1, id: job.id, type: job.type, org_id: job.org_id, payload: job.payload },
            job.status === 'running',
            // A job waiting out a retry delay keeps waiting (what is left of it).
            job.run_after ? job.run_after.getTime() - Date.now() : 0,
          );
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
