import { Logger } from '@nestjs/common';
import { retryDelayMs } from '../../core/backoff';
import { settleWithin } from '../../core/settle';
import {
  decodeEnvelope,
  encodeEnvelope,
  PoisonMessageError,
  type JobEnvelope,
} from '../../core/job-envelope';
import {
  JobTransport,
  type ConsumerSpec,
  type DeadLetterEvent,
  type DeliveryHandler,
  type Disposition,
  type QueueDepth,
} from '../../core/job-transport';
import { InProcessBroker, type BrokerMessage } from './in-process-broker';

export interface InProcessTransportOptions {
  retryBaseMs: number;
  /** Whether stop() also closes the broker (true when this transport is its only user). */
  ownsBroker: boolean;
  random?: () => number;
}

type Subscription = ReturnType<InProcessBroker['subscribe']>;

/** Aborted handlers get this long to record their run and hand the job back. */
const ABORT_WRAP_UP_MS = 1000;

/**
 * The in-process transport: the same contract as RabbitMQ on an InProcessBroker. Used when no
 * RABBITMQ_URL is configured; jobs survive a restart through the job store (see JobRecovery),
 * not through the broker, which lives in memory.
 */
export class InProcessTransport extends JobTransport {
  readonly kind = 'in-process' as const;
  private readonly logger = new Logger('InProcessQueue');
  private readonly subs: Subscription[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly aborter = new AbortController();
  /** After simulateCrash: zombie handlers may finish, but can no longer publish or ack. */
  private crashed = false;

  constructor(
    private readonly broker: InProcessBroker,
    private readonly opts: InProcessTransportOptions,
  ) {
    super();
  }

  async declare(specs: ConsumerSpec[]): Promise<void> {
    for (const s of specs) this.broker.declare(s.type);
  }

  async start(specs: ConsumerSpec[], handler: DeliveryHandler): Promise<void> {
    await this.declare(specs);
    for (const spec of specs) {
      this.subs.push(
        this.broker.subscribe(spec.type, spec.concurrency, (message, settle) => {
          const p = this.consume(spec.type, message, settle, handler).finally(() =>
            this.running.delete(p),
          );
          this.running.add(p);
        }),
      );
    }
  }

  async publish(envelope: JobEnvelope): Promise<void> {
    this.broker.publish(envelope.type, {
      body: encodeEnvelope(envelope),
      attempt: 1,
      redelivered: false,
    });
  }

  /**
   * Startup recovery (JobRecovery): a job the store still shows as queued or running. A running
   * one was interrupted by the restart, so it is flagged as redelivered and may be taken over.
   */
  publishRecovered(envelope: JobEnvelope, interrupted: boolean, delayMs = 0): void {
    const message = { body: encodeEnvelope(envelope), attempt: 1, redelivered: interrupted };
    if (delayMs > 0) this.broker.publishDelayed(envelope.type, message, delayMs, true);
    else this.broker.publish(envelope.type, message);
  }

  async publishRaw(type: string, body: Buffer): Promise<void> {
    this.broker.publish(type, { body, attempt: 1, redelivered: false });
  }

  async depth(type: string): Promise<QueueDepth> {
    return this.broker.depth(type);
  }

  isConnected(): boolean {
    return true;
  }

  async removeDeadLetter(type: string, jobId: string): Promise<boolean> {
    return this.broker.removeDeadLetter(type, (body) => {
      try {
        return decodeEnvelope(body).id === jobId;
      } catch {
        return false; // a poison message is never a job's
      }
    });
  }

  onDeadLetter(listener: (e: DeadLetterEvent) => void): void {
    this.broker.onDeadLetter(listener);
  }

  /**
   * Test hook: behaves like a consumer process dying mid-job. Its unsettled messages return to
   * the queue as redelivered; its handlers keep running as zombies whose acks are ignored.
   */
  simulateCrash(): void {
    this.crashed = true;
    for (const sub of this.subs.splice(0)) this.broker.drop(sub);
  }

  async stopConsuming(graceMs: number): Promise<void> {
    for (const sub of this.subs) this.broker.cancel(sub);
    if (this.running.size > 0) {
      await settleWithin([...this.running], graceMs);
      if (this.running.size > 0) {
        this.logger.warn(
          `${this.running.size} job(s) still running after ${graceMs} ms: aborted, they run again on the next start`,
        );
        this.aborter.abort(new Error('the queue is shutting down'));
        await settleWithin([...this.running], ABORT_WRAP_UP_MS);
      }
    }
    // Whatever is still unsettled goes back to the queue, as a closing channel would do.
    for (const sub of this.subs.splice(0)) this.broker.drop(sub);
  }

  /**
   * Messages still waiting die with the process; the job store has them as queued and
   * JobRecovery publishes them again on the next start.
   */
  async close(): Promise<void> {
    for (const sub of this.subs.splice(0)) this.broker.drop(sub);
    if (this.opts.ownsBroker) this.broker.close();
  }

  private async consume(
    type: string,
    message: BrokerMessage,
    settle: () => void,
    handler: DeliveryHandler,
  ): Promise<void> {
    let envelope: JobEnvelope;
    try {
      envelope = decodeEnvelope(message.body);
      if (envelope.type !== type) throw new PoisonMessageError('job type does not match its queue');
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      this.logger.warn(`poison message on ${type} dead-lettered: ${reason}`);
      this.broker.deadLetter(type, message.body, { type, reason: 'poison' });
      settle();
      return;
    }
    let disposition: Disposition;
    try {
      disposition = await handler(
        {
          envelope,
          attempt: message.attempt,
          redelivered: message.redelivered,
          handover: message.handover,
        },
        this.aborter.signal,
      );
    } catch (e) {
      // The handler contract is to return a disposition; a throw here is a bug, not a job error.
      // Retrying keeps the job (and the consumer's slot) moving instead of holding it forever.
      this.logger.error(`delivery handler failed for job ${envelope.id}: ${String(e)}`);
      disposition = {
        kind: 'retry',
        attempt: message.attempt,
        delayMs: retryDelayMs(this.opts.retryBaseMs, message.attempt, this.opts.random),
        reason: 'delivery handler failed',
        // The job may be held under that lease still: the retry must be able to take it.
        handover: message.handover,
      };
    }
    if (this.crashed) return; // a dead consumer's channel is gone: nothing it does reaches the broker
    try {
      this.carryOut(type, envelope, message, disposition);
    } catch (e) {
      // The broker closed under a handler that outlived the shutdown bound. The job store still
      // has the job as queued, so the next start recovers it.
      this.logger.warn(`job ${envelope.id}: could not ${disposition.kind}: ${String(e)}`);
      return;
    }
    settle();
  }

  private carryOut(
    type: string,
    envelope: JobEnvelope,
    message: BrokerMessage,
    d: Disposition,
  ): void {
    if (d.kind === 'retry') {
      this.broker.publishDelayed(
        type,
        {
          body: message.body,
          attempt: message.attempt + 1,
          redelivered: false,
          handover: d.handover,
        },
        d.delayMs,
      );
    } else if (d.kind === 'dead') {
      this.broker.deadLetter(type, message.body, { type, reason: d.cause, jobId: envelope.id });
    }
  }
}
