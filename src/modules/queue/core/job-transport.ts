import type { JobEnvelope } from './job-envelope';

/** What a consumer is told about one message. */
export interface Delivery {
  envelope: JobEnvelope;
  /** 1 on the first publish, +1 each time the job came back from a retry queue. */
  attempt: number;
  /**
   * True when the broker hands the message out again because an earlier consumer died (or its
   * channel dropped) before acking: whoever held the job is gone, so it may be taken over.
   */
  redelivered: boolean;
  /**
   * The lease token of the run that scheduled this retry, when that run could not release the
   * job in the store: the next run may take the job over from exactly that lease.
   */
  handover?: string;
}

/** What the consumer decided; the transport carries it out and only then acks the message. */
export type Disposition =
  | { kind: 'ack' }
  /**
   * Run again in `delayMs` (exponential backoff with jitter, chosen by the consumer); `attempt`
   * is the retry number, which picks the delay queue.
   */
  | { kind: 'retry'; attempt: number; delayMs: number; reason: string; handover?: string }
  | { kind: 'dead'; cause: 'exhausted' | 'permanent' | 'unhandled'; reason: string };

export type DeliveryHandler = (delivery: Delivery, signal: AbortSignal) => Promise<Disposition>;

/** One job type a transport consumes. */
export interface ConsumerSpec {
  type: string;
  /** Messages of this type in flight at once (the prefetch). */
  concurrency: number;
  /** Runs before dead-lettering; sizes the retry queues. */
  maxAttempts: number;
}

export interface QueueDepth {
  /** Waiting in the work queue. */
  ready: number;
  /** Waiting out a retry delay. */
  retrying: number;
  /** In the dead-letter queue. */
  dead: number;
}

/** A message the dead-letter queue received, as the transport saw it (for ops and tests). */
export interface DeadLetterEvent {
  type: string;
  reason: 'poison' | 'exhausted' | 'permanent' | 'unhandled';
  jobId?: string;
}

/**
 * The port between job handling and the thing that carries messages. Two implementations with
 * the same semantics: RabbitMQ (RABBITMQ_URL) and an in-process twin. Both give per-type work
 * queues, delayed retries, per-type dead-letter queues, bounded concurrency, and at-least-once
 * delivery: a message is acked only after the handler returned a disposition and that
 * disposition (retry or dead-letter publish) was carried out; a consumer that dies first has
 * its messages redelivered.
 */
export abstract class JobTransport {
  abstract readonly kind: 'rabbitmq' | 'in-process';

  /**
   * Declares the topology for `specs` and starts consuming. Resolves without waiting for a
   * broker that is down: consumers start (and restart) whenever the connection comes up.
   */
  abstract start(specs: ConsumerSpec[], handler: DeliveryHandler): Promise<void>;

  /** Declares the topology for types this instance only publishes (no consumers). */
  abstract declare(specs: ConsumerSpec[]): Promise<void>;

  /**
   * Publishes a persistent message to the type's work queue and resolves once the broker has
   * confirmed it. Rejects with QueueUnavailableError when that does not happen in time.
   */
  abstract publish(envelope: JobEnvelope): Promise<void>;

  /** Publishes raw bytes to a type's work queue (ops tooling and poison-message tests). */
  abstract publishRaw(type: string, body: Buffer): Promise<void>;

  abstract depth(type: string): Promise<QueueDepth>;

  /** True while the transport can publish right now. */
  abstract isConnected(): boolean;

  /**
   * Removes a job's message from its type's dead-letter queue (the job was requeued, so it is
   * no longer dead). False when it was not found among the first `scanLimit` dead letters.
   */
  abstract removeDeadLetter(type: string, jobId: string, scanLimit?: number): Promise<boolean>;

  /** Called for every message that lands in a dead-letter queue. */
  abstract onDeadLetter(listener: (e: DeadLetterEvent) => void): void;

  /**
   * Stops taking new messages, waits up to `graceMs` for in-flight handlers and aborts the rest
   * (their messages go back to the queue unacked). Publishing still works until `close()`.
   */
  abstract stopConsuming(graceMs: number): Promise<void>;

  /** Closes what is left (the publisher); publishing fails from now on. */
  abstract close(): Promise<void>;

  async stop(graceMs: number): Promise<void> {
    await this.stopConsuming(graceMs);
    await this.close();
  }
}
