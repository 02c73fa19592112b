import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
} from '@nestjs/common';
import { backoffDelay } from '../../../common/retry/backoff';
import { METRICS_OPTIONS, type MetricsOptions } from '../metrics.options';
import { isPermanentWriteError, UsageRowWriter } from '../storage/usage-row.writer';
import { toUsageRecord, type UsageRecord, type UsageRow } from '../usage-row';
import { type DropReason, recorderMetrics } from './recorder.prom';
import { RingBuffer } from './ring-buffer';

export interface FlushResult {
  /** Rows written by this flush. */
  written: number;
  /** A write failed; the rows are back in the buffer (or dropped, when refused as invalid). */
  failed: boolean;
  /** Rows still held afterwards. */
  remaining: number;
}

export interface RecorderStats {
  buffered: number;
  inFlight: number;
  consecutiveFailures: number;
  closed: boolean;
}

/** A problem is logged at most this often; the counters in /metrics carry every occurrence. */
const LOG_EVERY_MS = 10_000;

/**
 * Collects one usage row per provider call and writes them in batches, off the request path.
 *
 * - `record()` is synchronous and O(1): validate, append to a fixed-size ring buffer, maybe arm
 *   a timer. It never awaits and never throws.
 * - A flush starts when `batchSize` rows are waiting, or `flushIntervalMs` after the first
 *   waiting row; it writes everything waiting, `batchSize` rows per INSERT, one flush at a time.
 * - A failed write puts its rows back at the front and retries with exponential backoff and
 *   jitter. Meanwhile the buffer keeps accepting rows up to `maxBufferedRows` (waiting plus
 *   being written); past that the OLDEST waiting row is dropped for each new one: during a
 *   long outage the recent past is worth more than the distant one, which the retention
 *   policy would age out first anyway. Rows of a write in progress are not dropped until that
 *   write fails. Every dropped row is counted in `gateway_metrics_rows_dropped_total{reason}`
 *   and logged (throttled).
 * - Shutdown: flushed in `beforeApplicationShutdown` (the DataSource is closed later, in
 *   `onApplicationShutdown`), again when the HTTP server has finished its in-flight requests
 *   (see MetricsModule) and once more in `onApplicationShutdown`; whatever still cannot be
 *   written is counted as dropped and logged.
 */
@Injectable()
export class MetricsRecorder implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private readonly metrics = recorderMetrics();
  private readonly queue: RingBuffer<UsageRecord>;
  private inFlight = 0;
  private running: Promise<FlushResult> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerDueAt = 0;
  private consecutiveFailures = 0;
  private closed = false;
  private shutdownWriteFailed = false;
  private readonly unreportedDrops = new Map<DropReason, number>();
  private readonly lastLogAt = new Map<string, number>();
  private lastDropLogAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly writer: UsageRowWriter,
    @Inject(METRICS_OPTIONS) private readonly options: MetricsOptions,
  ) {
    this.queue = new RingBuffer<UsageRecord>(options.maxBufferedRows);
  }

  /** Buffers one row. Safe on the hot path: no I/O, no await, no exception. */
  record(row: UsageRow): void {
    try {
      if (this.closed) {
        this.drop('shutdown', 1, 'a usage row was recorded after shutdown');
        return;
      }
      let rec: UsageRecord;
      try {
        rec = toUsageRecord(row);
      } catch (e) {
        this.drop('invalid', 1, `invalid usage row: ${errorMessage(e)}`);
        return;
      }
      if (this.queue.length + this.inFlight >= this.options.maxBufferedRows) {
        // Only when every held row is being written (batchSize === maxBufferedRows) is there
        // no waiting row to evict; then the new row is the one that goes.
        if (this.queue.dropOldest(1) === 0) {
          this.drop('buffer_full', 1, this.fullMessage());
          return;
        }
        this.drop('buffer_full', 1, this.fullMessage());
      }
      this.queue.push(rec);
      this.metrics.recorded.inc();
      this.updateGauge();
      this.schedule();
    } catch (e) {
      // Not expected; but the caller is serving a request and must never see it.
      this.logThrottled('record-bug', 'error', `usage row not recorded: ${errorMessage(e)}`);
    }
  }

  /**
   * Writes everything waiting now (after any flush in progress). Resolves, never rejects; a
   * failed write leaves its rows buffered and the retry timer armed.
   */
  async flush(): Promise<FlushResult> {
    while (this.running) await this.running;
    this.clearTimer();
    return this.start();
  }

  stats(): RecorderStats {
    return {
      buffered: this.queue.length + this.inFlight,
      inFlight: this.inFlight,
      consecutiveFailures: this.consecutiveFailures,
      closed: this.closed,
    };
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.flushForShutdown();
  }

  /**
   * A flush during shutdown. Once one has failed, later stages only wait for a write already
   * running: an unreachable database can take the connect timeout per attempt, and the process
   * has a shutdown deadline to meet.
   */
  async flushForShutdown(): Promise<void> {
    if (this.shutdownWriteFailed) {
      await this.running;
      return;
    }
    const result = await this.flush();
    if (result.failed) this.shutdownWriteFailed = true;
  }

  /**
   * Last chance. Nest currently runs this before the global PostgresModule closes the
   * DataSource, but that order is not a documented guarantee (hence the earlier flushes); if the
   * store is gone, the write fails fast and the rows are counted as lost.
   */
  async onApplicationShutdown(): Promise<void> {
    if (this.queue.length > 0 || this.running) await this.flushForShutdown();
    this.closed = true;
    this.clearTimer();
    const left = this.queue.dropOldest(this.queue.length);
    this.updateGauge();
    if (left > 0) {
      this.metrics.dropped.inc({ reason: 'shutdown' }, left);
      this.unreportedDrops.set('shutdown', (this.unreportedDrops.get('shutdown') ?? 0) + left);
      this.logger.error(`${left} usage rows could not be written before shutdown and are lost`);
    }
    this.reportDrops();
  }

  private start(): Promise<FlushResult> {
    const run = this.drain().then((result) => {
      this.running = undefined;
      if (!this.closed) {
        if (result.failed) this.armTimer(this.backoffDelay());
        else this.schedule();
      }
      return result;
    });
    this.running = run;
    return run;
  }

  private async drain(): Promise<FlushResult> {
    let written = 0;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.shiftMany(this.options.batchSize);
        this.inFlight = batch.length;
        const stopTimer = this.metrics.flushDuration.startTimer();
        try {
          await this.writer.write(batch);
          stopTimer({ outcome: 'success' });
          written += batch.length;
          this.metrics.flushed.inc(batch.length);
          this.recovered();
        } catch (e) {
          stopTimer({ outcome: 'failure' });
          this.metrics.flushFailures.inc();
          if (isPermanentWriteError(e)) {
            // Retrying the same rows cannot succeed; keeping them would block every later row.
            this.drop('rejected', batch.length, `database refused usage rows: ${errorMessage(e)}`);
            continue;
          }
          this.consecutiveFailures++;
          this.inFlight = 0;
          const lost = this.queue.unshiftMany(batch);
          if (lost > 0) this.drop('buffer_full', lost, this.fullMessage());
          this.logThrottled(
            'write-failed',
            'error',
            `writing usage rows failed (attempt ${this.consecutiveFailures}; ${this.queue.length} rows kept for retry): ${errorMessage(e)}`,
          );
          return { written, failed: true, remaining: this.queue.length };
        } finally {
          this.inFlight = 0;
          this.updateGauge();
        }
      }
    } catch (e) {
      this.logThrottled('flush-bug', 'error', `usage flush aborted: ${errorMessage(e)}`);
      return { written, failed: true, remaining: this.queue.length };
    }
    return { written, failed: false, remaining: this.queue.length };
  }

  private recovered(): void {
    if (this.consecutiveFailures === 0) return;
    this.logger.log(
      `writing usage rows works again after ${this.consecutiveFailures} failed attempts`,
    );
    this.consecutiveFailures = 0;
    this.reportDrops();
  }

  /** Decides when the next flush starts. The running flush calls this again when it ends. */
  private schedule(): void {
    if (this.running || this.closed || this.consecutiveFailures > 0) return;
    if (this.queue.length >= this.options.batchSize) this.armTimer(0);
    else if (this.queue.length > 0) this.armTimer(this.options.flushIntervalMs);
  }

  /** Arms the flush timer unless one is already due sooner. */
  private armTimer(delayMs: number): void {
    const due = Date.now() + delayMs;
    if (this.timer !== undefined && this.timerDueAt <= due) return;
    this.clearTimer();
    this.timerDueAt = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.running && !this.closed) void this.start();
    }, delayMs);
    // Never keep the process alive just to flush: shutdown flushes explicitly.
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Exponential (initial * 2^(n-1), capped) with jitter in [half, full], so instances spread out. */
  private backoffDelay(): number {
    const { retryInitialDelayMs, retryMaxDelayMs, random } = this.options;
    return backoffDelay(Math.min(30, this.consecutiveFailures - 1), {
      baseMs: retryInitialDelayMs,
      maxMs: retryMaxDelayMs,
      random,
      jitter: 'equal',
    });
  }

  private drop(reason: DropReason, n: number, cause: string): void {
    this.metrics.dropped.inc({ reason }, n);
    this.unreportedDrops.set(reason, (this.unreportedDrops.get(reason) ?? 0) + n);
    const now = Date.now();
    if (now - this.lastDropLogAt < LOG_EVERY_MS) return;
    this.lastDropLogAt = now;
    this.logger[reason === 'invalid' ? 'warn' : 'error'](
      `${cause}; usage rows dropped since the last report: ${this.takeDropSummary()}`,
    );
  }

  /** Logs drops not reported yet (on recovery and at shutdown, so the tail is never silent). */
  private reportDrops(): void {
    if (this.unreportedDrops.size === 0) return;
    this.lastDropLogAt = Date.now();
    this.logger.warn(`usage rows dropped since the last report: ${this.takeDropSummary()}`);
  }

  private takeDropSummary(): string {
    const parts = [...this.unreportedDrops].map(([reason, n]) => `${n} ${reason}`);
    this.unreportedDrops.clear();
    return parts.join(', ');
  }

  private fullMessage(): string {
    return `usage buffer full (${this.options.maxBufferedRows} rows): dropping the oldest rows while the database cannot be written`;
  }

  private logThrottled(key: string, level: 'warn' | 'error', message: string): void {
    const now = Date.now();
    const last = this.lastLogAt.get(key);
    if (last !== undefined && now - last < LOG_EVERY_MS) return;
    this.lastLogAt.set(key, now);
    this.logger[level](message);
  }

  private updateGauge(): void {
    this.metrics.buffered.set(this.queue.length + this.inFlight);
  }
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
