import { Injectable, Logger, BeforeApplicationShutdown } from '@nestjs/common';
import { counter, gauge } from '../../../common/metrics/prom';
import { backoffDelay } from '../../../common/retry/backoff';

const pending = gauge('gateway_background_tasks_pending', 'Post-answer tasks waiting or running');
const failures = counter(
  'gateway_background_task_failures_total',
  'Post-answer task attempts that failed',
  ['task'],
);
const abandoned = counter(
  'gateway_background_tasks_abandoned_total',
  'Post-answer tasks given up after every retry',
  ['task'],
);

const MAX_ATTEMPTS = 5;

/**
 * Work nobody waits for: the records of failed completions (their call log and usage rows; an
 * answer's record is committed before the answer, see PostAnswerJournal). It runs in the
 * background, retries with backoff when a store hiccups, is drained before the app closes its
 * connections, and every failure is counted and logged. Best effort: a crash loses what is
 * still pending here, which is never something a client was told had succeeded.
 */
@Injectable()
export class BackgroundTasks implements BeforeApplicationShutdown {
  private readonly logger = new Logger(BackgroundTasks.name);
  private readonly running = new Set<Promise<void>>();

  /** Starts `work` in the background; it does not hold up the caller. */
  schedule(name: string, work: () => Promise<void>): void {
    pending.inc();
    const p = this.attempt(name, work).finally(() => {
      pending.dec();
      this.running.delete(p);
    });
    this.running.add(p);
  }

  /** Resolves once everything scheduled so far has finished (tests and shutdown use it). */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.drain();
  }

  private async attempt(name: string, work: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await work();
        return;
      } catch (e) {
        failures.inc({ task: name });
        const message = e instanceof Error ? e.message : String(e);
        if (attempt >= MAX_ATTEMPTS) {
          abandoned.inc({ task: name });
          this.logger.error(
            `background task ${name} failed ${attempt} times, giving up: ${message}`,
          );
          return;
        }
        this.logger.warn(
          `background task ${name} failed (attempt ${attempt}), retrying: ${message}`,
        );
        const delay = backoffDelay(attempt, { baseMs: 100, maxMs: 5000, jitter: 'none' });
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}
