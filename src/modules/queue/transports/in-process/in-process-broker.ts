import { QueueUnavailableError } from '../../core/errors';
import type { DeadLetterEvent, QueueDepth } from '../../core/job-transport';

/** A message held by the in-process broker: raw bytes, like on the wire, plus AMQP-ish flags. */
export interface BrokerMessage {
  body: Buffer;
  attempt: number;
  redelivered: boolean;
  handover?: string;
}

/** Hands a message to a consumer; the consumer calls `settle` once it is done with it. */
export type BrokerDeliver = (message: BrokerMessage, settle: () => void) => void;

interface Subscription {
  type: string;
  concurrency: number;
  deliver: BrokerDeliver;
  /** Messages handed out and not settled yet (AMQP's unacked messages). */
  unacked: Set<BrokerMessage>;
  active: boolean;
}

export interface InProcessBrokerOptions {
  /** Messages waiting (ready + delayed) across all queues; publishing beyond it fails. */
  maxBuffered: number;
  /** Dead letters kept per type (oldest dropped first; the job store keeps the full record). */
  maxDeadPerType: number;
}

/**
 * The in-process twin of the RabbitMQ topology: a FIFO work queue and a dead-letter list per job
 * type, delayed retries on timers, and subscriptions with a prefetch limit. Messages are bytes so
 * that decoding (and poison messages) behave as they do over AMQP. A subscription that goes away
 * with unsettled messages returns them to the head of the queue flagged `redelivered`, as the
 * broker does when a consumer's channel closes before acking.
 */
export class InProcessBroker {
  private readonly ready = new Map<string, BrokerMessage[]>();
  private readonly dead = new Map<string, Buffer[]>();
  private readonly delayed = new Map<string, Set<NodeJS.Timeout>>();
  private readonly subs = new Map<string, Subscription[]>();
  private readonly deadListeners: Array<(e: DeadLetterEvent) => void> = [];
  private closed = false;

  constructor(private readonly opts: InProcessBrokerOptions) {}

  declare(type: string): void {
    if (!this.ready.has(type)) this.ready.set(type, []);
    if (!this.dead.has(type)) this.dead.set(type, []);
    if (!this.delayed.has(type)) this.delayed.set(type, new Set());
    if (!this.subs.has(type)) this.subs.set(type, []);
  }

  publish(type: string, message: BrokerMessage): void {
    if (this.closed) throw new QueueUnavailableError('the in-process queue is closed');
    if (!this.ready.has(type)) throw new QueueUnavailableError(`no queue for job type ${type}`);
    this.checkRoom();
    this.queue(type).push(message);
    this.dispatch(type);
  }

  /**
   * Puts a message back after `delayMs`. Retries of accepted messages are never refused;
   * `bounded` applies the buffer limit (new work, e.g. jobs recovered at startup).
   */
  publishDelayed(type: string, message: BrokerMessage, delayMs: number, bounded = false): void {
    if (this.closed) throw new QueueUnavailableError('the in-process queue is closed');
    if (bounded) this.checkRoom();
    const timers = this.delayed.get(type);
    if (!timers) throw new QueueUnavailableError(`no queue for job type ${type}`);
    const timer = setTimeout(() => {
      timers.delete(timer);
      this.queue(type).push(message);
      this.dispatch(type);
    }, delayMs);
    // A pending retry must not keep a process alive that is otherwise done; the job store still
    // has the job as queued, and the next start recovers it.
    timer.unref();
    timers.add(timer);
  }

  deadLetter(type: string, body: Buffer, event: DeadLetterEvent): void {
    const list = this.dead.get(type);
    if (list) {
      list.push(body);
      if (list.length > this.opts.maxDeadPerType) list.shift();
    }
    for (const l of this.deadListeners) l(event);
  }

  onDeadLetter(listener: (e: DeadLetterEvent) => void): void {
    this.deadListeners.push(listener);
  }

  subscribe(type: string, concurrency: number, deliver: BrokerDeliver): Subscription {
    this.declare(type);
    const sub: Subscription = { type, concurrency, deliver, unacked: new Set(), active: true };
    this.subs.get(type)!.push(sub);
    this.dispatch(type);
    return sub;
  }

  /** Stops new deliveries to `sub`; what it holds stays with it until settled or dropped. */
  cancel(sub: Subscription): void {
    sub.active = false;
    const list = this.subs.get(sub.type) ?? [];
    this.subs.set(
      sub.type,
      list.filter((s) => s !== sub),
    );
  }

  /**
   * The consumer went away without settling (crash, closed channel): its messages go back to the
   * head of the queue, flagged as redelivered, and later `settle` calls from it are ignored.
   */
  drop(sub: Subscription): void {
    this.cancel(sub);
    const held = [...sub.unacked];
    sub.unacked.clear();
    if (held.length === 0 || this.closed) return;
    this.queue(sub.type).unshift(...held.map((m) => ({ ...m, redelivered: true })));
    this.dispatch(sub.type);
  }

  inFlight(sub: Subscription): number {
    return sub.unacked.size;
  }

  depth(type: string): QueueDepth {
    return {
      ready: this.ready.get(type)?.length ?? 0,
      retrying: this.delayed.get(type)?.size ?? 0,
      dead: this.dead.get(type)?.length ?? 0,
    };
  }

  /** Removes the first dead letter `match` picks; false when there is none. */
  removeDeadLetter(type: string, match: (body: Buffer) => boolean): boolean {
    const list = this.dead.get(type) ?? [];
    const i = list.findIndex(match);
    if (i < 0) return false;
    list.splice(i, 1);
    return true;
  }

  /** The dead-letter queue's messages, oldest first (tests and diagnostics). */
  deadLetters(type: string): Buffer[] {
    return [...(this.dead.get(type) ?? [])];
  }

  close(): void {
    this.closed = true;
    for (const timers of this.delayed.values()) {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    }
  }

  private queue(type: string): BrokerMessage[] {
    let q = this.ready.get(type);
    if (!q) {
      q = [];
      this.ready.set(type, q);
    }
    return q;
  }

  private checkRoom(): void {
    if (this.buffered() >= this.opts.maxBuffered) {
      throw new QueueUnavailableError(
        `the in-process queue is full (${this.opts.maxBuffered} messages waiting)`,
      );
    }
  }

  private buffered(): number {
    let n = 0;
    for (const q of this.ready.values()) n += q.length;
    for (const t of this.delayed.values()) n += t.size;
    return n;
  }

  /** Hands out waiting messages round-robin to subscriptions that have room. */
  private dispatch(type: string): void {
    const q = this.queue(type);
    const subs = this.subs.get(type) ?? [];
    let progressed = true;
    while (q.length > 0 && progressed) {
      progressed = false;
      for (const sub of subs) {
        if (q.length === 0) break;
        if (!sub.active || sub.unacked.size >= sub.concurrency) continue;
        const message = q.shift()!;
        sub.unacked.add(message);
        progressed = true;
        let settled = false;
        const settle = () => {
          if (settled) return;
          settled = true;
          // Dropped (crashed) consumers no longer hold the message: their settle is a late ack
          // on a closed channel, which the broker ignores.
          if (sub.unacked.delete(message)) this.dispatch(type);
        };
        // Asynchronously, as over a socket: a consumer that settles at once cannot recurse here.
        queueMicrotask(() => sub.deliver(message, settle));
      }
    }
  }
}
