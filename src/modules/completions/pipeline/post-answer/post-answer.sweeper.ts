import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { counter, gauge } from '../../../../common/metrics/prom';
import { backoffDelay } from '../../../../common/retry/backoff';
import { POST_ANSWER_SPOOLS } from './post-answer.journal';
import { PostAnswerOutbox, type PostAnswerSpool } from './post-answer.spool';
import { PostAnswerWriter } from './post-answer.writer';

const BATCH = 100;
/** An idle outbox is looked at this often; one with work, again at once. */
const IDLE_MS = 2_000;
/** A claimed entry is left alone this long (the claimer may still be writing it). */
const LEASE_MS = 30_000;
/** Retries of one entry back off from 1 s to at most 30 s. */
const MAX_BACKOFF_MS = 30_000;

const swept = counter(
  'gateway_post_answer_swept_total',
  'Outbox entries written by the sweeper (written) or put back for later (retried)',
  ['outbox', 'result'],
);
const backlog = gauge(
  'gateway_post_answer_outbox_claimed',
  'Entries the last sweep of each outbox claimed',
  ['outbox'],
);

/**
 * Drains the outboxes on every instance: claims due entries (a lease, so an instance that dies
 * mid-sweep only delays them), writes each record and removes it; a failed write is retried
 * with backoff. Records spooled to the broker are written by its consumer instead.
 */
@Injectable()
export class PostAnswerSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('PostAnswerSweeper');
  private readonly outboxes: PostAnswerOutbox[];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly writer: PostAnswerWriter,
    @Inject(POST_ANSWER_SPOOLS) spools: PostAnswerSpool[],
  ) {
    this.outboxes = spools.filter((s): s is PostAnswerOutbox => s instanceof PostAnswerOutbox);
  }

  onApplicationBootstrap(): void {
    if (this.outboxes.length > 0) this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One pass over every outbox; true when some outbox had a full batch (more may be due). */
  async sweep(): Promise<boolean> {
    let more = false;
    for (const outbox of this.outboxes) {
      try {
        more = (await this.drain(outbox)) || more;
      } catch (e) {
        // The outbox's own store is down: its entries wait there for the next pass.
        this.logger.debug(`sweeping ${outbox.name} failed: ${String(e)}`);
      }
    }
    return more;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep()
        .then((more) => this.schedule(more ? 0 : IDLE_MS))
        .finally(() => (this.running = undefined));
    }, delayMs);
    this.timer.unref();
  }

  private async drain(outbox: PostAnswerOutbox): Promise<boolean> {
    const now = new Date();
    const entries = await outbox.claimDue(BATCH, now, new Date(now.getTime() + LEASE_MS));
    backlog.set({ outbox: outbox.name }, entries.length);
    if (entries.length === 0) return false;
    const done: string[] = [];
    await Promise.all(
      entries.map(async ({ record, attempts }) => {
        try {
          await this.writer.write(record);
          done.push(record.id);
          swept.inc({ outbox: outbox.name, result: 'written' });
        } catch (e) {
          swept.inc({ outbox: outbox.name, result: 'retried' });
          const delay = backoffDelay(attempts, {
            baseMs: 1000,
            maxMs: MAX_BACKOFF_MS,
            jitter: 'none',
          });
          await outbox
            .retryLater(
              record.id,
              e instanceof Error ? e.message : String(e),
              new Date(Date.now() + delay),
            )
            .catch(() => undefined);
        }
      }),
    );
    await outbox.remove(done);
    return entries.length === BATCH;
  }
}
