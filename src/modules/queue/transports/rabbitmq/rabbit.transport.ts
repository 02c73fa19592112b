import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import { retryDelayMs } from '../../core/backoff';
import { settleWithin } from '../../core/settle';
import { QueueUnavailableError } from '../../core/errors';
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
import { jobsExchange, queueNames, retryQueueCount } from '../../core/topology';
import type {
  AmqpChannel as Channel,
  AmqpConnectionModel,
  AmqpMessage as ConsumeMessage,
  AmqpPublishOptions,
} from './amqp-types';
import { assertTopology } from './rabbit-topology';

export interface RabbitTransportOptions {
  prefix: string;
  retryBaseMs: number;
  publishTimeoutMs: number;
  /** Publishes waiting for a connection before new ones fail at once (the bounded buffer). */
  maxPendingPublishes: number;
  /** Close the connection on stop (tests that own it); the app's belongs to golevelup. */
  ownsConnection?: boolean;
  random?: () => number;
}

const ATTEMPT_HEADER = 'x-attempt';
/** Aborted handlers get this long to record their run and route their message onwards. */
const ABORT_WRAP_UP_MS = 1000;
const HANDOVER_HEADER = 'x-handover';
/** Tells a returned (unroutable) message's publish apart from the others in flight. */
const PUBLISH_ID_HEADER = 'x-publish-id';
/** Returns remembered at most (a publish that timed out never collects its own). */
const MAX_RETURNS_HELD = 1000;

/**
 * RabbitMQ transport on the connection manager underneath golevelup's AmqpConnection.
 *
 * Why raw channels rather than `AmqpConnection.publish` / `@RabbitSubscribe`: the topology needs
 * per-queue dead-letter arguments for names derived from config at runtime, retries must be
 * routed by attempt number to delay queues, acks must come only after that routing was confirmed,
 * and a stale ack (on a channel that has since closed) must be dropped rather than sent on the
 * new channel, where an unknown delivery tag would close it. So: one confirm channel for
 * publishing (persistent messages, publisher confirms, a publish timeout and a bounded buffer),
 * and one consumer channel with a per-consumer prefetch and manual acks. Both are
 * amqp-connection-manager ChannelWrappers whose setup runs again on every reconnect — that
 * re-declares the topology and restarts the consumers without anyone's help.
 */
export class RabbitTransport extends JobTransport {
  readonly kind = 'rabbitmq' as const;
  private readonly logger = new Logger('RabbitQueue');
  private readonly specs = new Map<string, ConsumerSpec>();
  private readonly running = new Set<Promise<void>>();
  private readonly aborter = new AbortController();
  private readonly deadListeners: Array<(e: DeadLetterEvent) => void> = [];
  private publisher?: ChannelWrapper;
  private consumer?: ChannelWrapper;
  /** The consumer channel of the current connection and its consumer tags. */
  private live?: { channel: Channel; tags: string[] };
  private stopping = false;
  private closed = false;
  private readonly reconnected = new WeakSet<Channel>();
  /** The publisher's current raw channel, to re-declare the topology on. */
  private publisherChannel?: Channel;
  /** Publish ids the broker returned as unroutable, until their publish collects them. */
  private readonly returned = new Set<string>();

  constructor(
    private readonly conn: AmqpConnectionManager,
    private readonly opts: RabbitTransportOptions,
  ) {
    super();
  }

  async declare(specs: ConsumerSpec[]): Promise<void> {
    for (const s of specs) this.specs.set(s.type, s);
    if (this.publisher) return;
    this.publisher = this.conn.createChannel({
      name: 'jobs-publisher',
      confirm: true,
      publishTimeout: this.opts.publishTimeoutMs,
      setup: (ch: Channel) => {
        this.onChannelError(ch, 'publisher');
        this.publisherChannel = ch;
        ch.on('return', (msg) => {
          const id = msg.properties.headers?.[PUBLISH_ID_HEADER];
          if (typeof id !== 'string') return;
          if (this.returned.size >= MAX_RETURNS_HELD) this.returned.clear();
          this.returned.add(id);
        });
        return assertTopology(ch, this.opts.prefix, [...this.specs.values()]);
      },
    });
    this.watch(this.publisher);
  }

  async start(specs: ConsumerSpec[], handler: DeliveryHandler): Promise<void> {
    await this.declare(specs);
    this.consumer = this.conn.createChannel({
      name: 'jobs-consumer',
      confirm: false,
      setup: (ch: Channel) => this.consumeOn(ch, specs, handler),
    });
    this.watch(this.consumer);
  }

  async publish(envelope: JobEnvelope): Promise<void> {
    const n = queueNames(this.opts.prefix, envelope.type);
    await this.send(n.workKey, encodeEnvelope(envelope), {
      messageId: envelope.id,
      type: envelope.type,
      headers: { [ATTEMPT_HEADER]: 1 },
    });
  }

  async publishRaw(type: string, body: Buffer): Promise<void> {
    await this.send(queueNames(this.opts.prefix, type).workKey, body, { type });
  }

  async depth(type: string): Promise<QueueDepth> {
    const model = this.conn.connection as AmqpConnectionModel | undefined;
    if (!model) throw new QueueUnavailableError('RabbitMQ is not connected');
    const spec = this.specs.get(type);
    const n = queueNames(this.opts.prefix, type);
    // A throwaway channel: checkQueue on a missing queue closes its channel, and that must not
    // be the publisher's or the consumer's.
    const ch = await model.createChannel();
    this.onChannelError(ch, 'depth check', false);
    try {
      const ready = (await ch.checkQueue(n.work)).messageCount;
      const dead = (await ch.checkQueue(n.dead)).messageCount;
      let retrying = 0;
      for (let i = 1; i <= retryQueueCount(spec?.maxAttempts ?? 1); i++) {
        retrying += (await ch.checkQueue(n.retry(i))).messageCount;
      }
      return { ready, retrying, dead };
    } finally {
      await ch.close().catch(() => undefined);
    }
  }

  isConnected(): boolean {
    return this.conn.isConnected();
  }

  /**
   * RabbitMQ cannot delete one message by id: read the dead-letter queue on a throwaway channel
   * (unacked), ack the job's message, and close the channel, which puts the others back.
   */
  async removeDeadLetter(type: string, jobId: string, scanLimit = 10_000): Promise<boolean> {
    const model = this.conn.connection as AmqpConnectionModel | undefined;
    if (!model) throw new QueueUnavailableError('RabbitMQ is not connected');
    const dead = queueNames(this.opts.prefix, type).dead;
    const ch = await model.createChannel();
    this.onChannelError(ch, 'dead-letter cleanup', false);
    try {
      const { messageCount } = await ch.checkQueue(dead);
      for (let i = 0; i < Math.min(messageCount, scanLimit); i++) {
        const msg = await ch.get(dead, { noAck: false });
        if (!msg) return false;
        if (msg.properties.messageId === jobId) {
          ch.ack(msg);
          return true;
        }
      }
      return false;
    } finally {
      await ch.close().catch(() => undefined);
    }
  }

  onDeadLetter(listener: (e: DeadLetterEvent) => void): void {
    this.deadListeners.push(listener);
  }

  async stopConsuming(graceMs: number): Promise<void> {
    this.stopping = true;
    const live = this.live;
    if (live) {
      // basic.cancel: the broker stops delivering; what we hold stays ours until acked.
      for (const tag of live.tags) await live.channel.cancel(tag).catch(() => undefined);
    }
    if (this.running.size > 0) {
      await settleWithin([...this.running], graceMs);
      if (this.running.size > 0) {
        this.logger.warn(
          `${this.running.size} job(s) still running after ${graceMs} ms: aborted; the broker redelivers them`,
        );
        this.aborter.abort(new Error('the queue is shutting down'));
        await settleWithin([...this.running], ABORT_WRAP_UP_MS);
      }
    }
    // Closing the consumer channel hands every unacked message back to the broker.
    await this.consumer?.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.consumer?.close().catch(() => undefined);
    await this.publisher?.close().catch(() => undefined);
    if (this.opts.ownsConnection) await this.conn.close().catch(() => undefined);
  }

  private async consumeOn(
    ch: Channel,
    specs: ConsumerSpec[],
    handler: DeliveryHandler,
  ): Promise<void> {
    if (this.stopping) return;
    this.onChannelError(ch, 'consumer');
    await assertTopology(ch, this.opts.prefix, specs);
    const tags: string[] = [];
    for (const spec of specs) {
      // Per-consumer prefetch (global=false): at most `concurrency` unacked messages each.
      await ch.prefetch(spec.concurrency, false);
      const { consumerTag } = await ch.consume(
        queueNames(this.opts.prefix, spec.type).work,
        (msg) => {
          if (!msg) {
            // The broker cancelled this consumer (its queue was deleted): reconnecting declares
            // the queue again and consumes anew.
            this.logger.warn(`RabbitMQ cancelled the ${spec.type} consumer; reconnecting`);
            if (!this.stopping) this.reconnectFor(ch);
            return;
          }
          const p = this.handle(ch, spec, msg, handler).finally(() => this.running.delete(p));
          this.running.add(p);
        },
        { noAck: false },
      );
      tags.push(consumerTag);
    }
    this.live = { channel: ch, tags };
  }

  private async handle(
    ch: Channel,
    spec: ConsumerSpec,
    msg: ConsumeMessage,
    handler: DeliveryHandler,
  ): Promise<void> {
    let envelope: JobEnvelope;
    try {
      envelope = decodeEnvelope(msg.content);
      if (envelope.type !== spec.type)
        throw new PoisonMessageError('job type does not match its queue');
    } catch (e) {
      this.logger.warn(
        `poison message on ${spec.type} dead-lettered: ${e instanceof Error ? e.message : String(e)}`,
      );
      // The work queue's dead-letter arguments route a rejected message to the DLQ.
      this.settle(ch, msg, 'reject');
      this.emitDead({ type: spec.type, reason: 'poison' });
      return;
    }
    const attempt = attemptOf(msg);
    let d: Disposition;
    try {
      d = await handler(
        {
          envelope,
          attempt,
          redelivered: msg.fields.redelivered,
          handover: handoverOf(msg),
        },
        this.aborter.signal,
      );
    } catch (e) {
      this.logger.error(`delivery handler failed for job ${envelope.id}: ${String(e)}`);
      d = {
        kind: 'retry',
        attempt,
        delayMs: retryDelayMs(this.opts.retryBaseMs, attempt, this.opts.random),
        reason: 'delivery handler failed',
        // The job may be held under that lease still: the retry must be able to take it.
        handover: handoverOf(msg),
      };
    }
    try {
      await this.carryOut(spec, envelope, msg, attempt, d);
      this.settle(ch, msg, 'ack');
    } catch (e) {
      // Could not route it onwards (broker trouble): give it back rather than lose it.
      this.logger.warn(`job ${envelope.id}: could not ${d.kind}, requeued: ${String(e)}`);
      this.settle(ch, msg, 'requeue');
    }
  }

  private async carryOut(
    spec: ConsumerSpec,
    envelope: JobEnvelope,
    msg: ConsumeMessage,
    attempt: number,
    d: Disposition,
  ): Promise<void> {
    const n = queueNames(this.opts.prefix, spec.type);
    const base: AmqpPublishOptions = { messageId: envelope.id, type: envelope.type };
    if (d.kind === 'retry') {
      // Retries of one attempt number share a delay queue (their delays differ only by jitter);
      // attempts beyond the declared queues use the last one.
      const slot = Math.min(Math.max(d.attempt, 1), retryQueueCount(spec.maxAttempts));
      await this.send(n.retryKey(slot), msg.content, {
        ...base,
        expiration: String(Math.max(1, Math.round(d.delayMs))),
        headers: {
          [ATTEMPT_HEADER]: attempt + 1,
          ...(d.handover ? { [HANDOVER_HEADER]: d.handover } : {}),
        },
      });
    } else if (d.kind === 'dead') {
      await this.send(n.deadKey, msg.content, {
        ...base,
        headers: {
          [ATTEMPT_HEADER]: attempt,
          'x-dead-cause': d.cause,
          'x-dead-reason': d.reason.slice(0, 500),
        },
      });
      this.emitDead({ type: spec.type, reason: d.cause, jobId: envelope.id });
    }
  }

  /**
   * Persistent, mandatory publish through the confirm channel; resolves on the broker's confirm.
   * A confirm alone does not mean a queue took the message: one that matched no binding (the
   * exchange or a queue was deleted and declared again without it) is confirmed and dropped.
   * Mandatory makes the broker return it first; the topology is then declared again and the
   * message sent once more, and a second return fails the publish (QueueUnavailableError), so the
   * caller keeps the job instead of believing it queued.
   */
  private async send(routingKey: string, body: Buffer, options: AmqpPublishOptions): Promise<void> {
    if (!(await this.sendOnce(routingKey, body, options))) return;
    this.logger.warn(`RabbitMQ returned a message for ${routingKey}: declaring the topology again`);
    await this.redeclare();
    if (await this.sendOnce(routingKey, body, options)) {
      throw new QueueUnavailableError(`RabbitMQ routed no queue for ${routingKey}`);
    }
  }

  /** One publish; true when the broker returned it unroutable. */
  private async sendOnce(
    routingKey: string,
    body: Buffer,
    options: AmqpPublishOptions,
  ): Promise<boolean> {
    const publisher = this.publisher;
    if (!publisher) throw new Error('the RabbitMQ transport was not started');
    if (this.closed) throw new QueueUnavailableError('the queue is shut down');
    if (!this.conn.isConnected() && publisher.queueLength() >= this.opts.maxPendingPublishes) {
      throw new QueueUnavailableError(
        `RabbitMQ is unreachable and ${publisher.queueLength()} messages are already waiting`,
      );
    }
    const publishId = randomUUID();
    const publishOptions: AmqpPublishOptions & { timeout: number } = {
      ...options,
      headers: { ...options.headers, [PUBLISH_ID_HEADER]: publishId },
      persistent: true,
      mandatory: true,
      contentType: 'application/json',
      timestamp: Math.floor(Date.now() / 1000),
      timeout: this.opts.publishTimeoutMs,
    };
    try {
      await publisher.publish(jobsExchange(this.opts.prefix), routingKey, body, publishOptions);
    } catch (e) {
      this.returned.delete(publishId);
      const why =
        e instanceof Error && e.message === 'timeout'
          ? `RabbitMQ did not confirm the message within ${this.opts.publishTimeoutMs} ms`
          : `RabbitMQ refused the message: ${e instanceof Error ? e.message : String(e)}`;
      throw new QueueUnavailableError(why, { cause: e });
    }
    // basic.return precedes the confirm on the channel, so it has been seen by now.
    return this.returned.delete(publishId);
  }

  /** Declares the topology on the publisher's channel; a failure there forces a reconnect. */
  private async redeclare(): Promise<void> {
    const ch = this.publisherChannel;
    try {
      if (!ch) throw new Error('no publisher channel');
      await assertTopology(ch, this.opts.prefix, [...this.specs.values()]);
    } catch {
      // The reconnect's setup declares it; the resend waits in the channel's buffer meanwhile.
      if (this.closed) return;
      if (ch) this.reconnectFor(ch);
      else this.conn.reconnect();
    }
  }

  /** Acks on the channel the message came from; a closed channel means it is redelivered anyway. */
  private settle(ch: Channel, msg: ConsumeMessage, how: 'ack' | 'reject' | 'requeue'): void {
    try {
      if (how === 'ack') ch.ack(msg);
      else ch.nack(msg, false, how === 'requeue');
    } catch {
      // IllegalOperationError: channel closed. The broker already requeued the message.
    }
  }

  private emitDead(e: DeadLetterEvent): void {
    for (const l of this.deadListeners) l(e);
  }

  /**
   * amqplib emits 'error' when the server closes a channel (a deleted exchange or queue, a queue
   * declared elsewhere with other arguments); with no listener that would throw out of the socket
   * handler and take the process down. A ChannelWrapper only opens a new channel after a
   * *connection* loss, so for the publisher and consumer channels we force one: the reconnect
   * re-declares the topology and restarts consuming (unacked messages are redelivered).
   */
  private onChannelError(ch: Channel, role: string, reconnect = true): void {
    ch.on('error', (err) => {
      this.logger.error(`RabbitMQ closed the ${role} channel: ${err.message}`);
      if (reconnect && !this.closed) this.reconnectFor(ch);
    });
  }

  /** One reconnect per failed channel, however many of its consumers were cancelled. */
  private reconnectFor(ch: Channel): void {
    if (this.reconnected.has(ch)) return;
    this.reconnected.add(ch);
    this.conn.reconnect();
  }

  private watch(w: ChannelWrapper): void {
    // A setup failure (e.g. a queue pre-declared with other arguments) is emitted as 'error';
    // unhandled, it would crash the process.
    w.on('error', (err: Error, info: { name: string }) => {
      const message = `RabbitMQ channel ${info?.name ?? ''} setup failed: ${err.message}`;
      // A channel closed while it was being set up (shutdown, a dropped connection) is routine.
      if (this.stopping || this.closed || !this.conn.isConnected()) this.logger.debug(message);
      else this.logger.error(message);
    });
  }
}

function handoverOf(msg: ConsumeMessage): string | undefined {
  const raw: unknown = msg.properties.headers?.[HANDOVER_HEADER];
  return typeof raw === 'string' && raw !== '' ? raw : undefined;
}

function attemptOf(msg: ConsumeMessage): number {
  const raw: unknown = msg.properties.headers?.[ATTEMPT_HEADER];
  const n = typeof raw === 'number' ? raw : Number(raw);
  return Number.isInteger(n) && n >= 1 ? n : 1;
}
