import { Injectable, Logger } from '@nestjs/common';
import type { ConfigChange, ConfigEvent, ConfigKind } from './config-change';
import { watcherMetrics } from './watcher.metrics';

export type ConfigListener = (event: ConfigEvent) => void;

/**
 * Carries a change made on this instance to the other instances, for sources that would not
 * see it by themselves: the Redis relay (fast fan-out) and the polling source (which cannot see
 * deletes, so it records them in a change log).
 */
export interface ChangeForwarder {
  readonly name: string;
  forward(change: ConfigChange): Promise<void>;
}

interface Subscription {
  kinds: ReadonlySet<ConfigKind> | undefined;
  listener: ConfigListener;
}

/**
 * The one place config changes flow through, in this process. Owning services `announce` their
 * writes (their own caches and this instance's other caches drop the record at once, then the
 * forwarders take it further); the watcher's source and the relay `receive` what other
 * instances changed. Every cache subscribes to the kinds it holds.
 */
@Injectable()
export class ConfigChangeBus {
  private readonly logger = new Logger('ConfigChanges');
  private readonly subscriptions = new Set<Subscription>();
  private readonly forwarders = new Set<ChangeForwarder>();
  private last: Date | undefined;
  private count = 0;

  /** Calls `listener` for changes of `kinds` (every kind when omitted) and for every resync. */
  subscribe(kinds: readonly ConfigKind[] | undefined, listener: ConfigListener): () => void {
    const sub: Subscription = { kinds: kinds ? new Set(kinds) : undefined, listener };
    this.subscriptions.add(sub);
    return () => this.subscriptions.delete(sub);
  }

  /**
   * A write this instance made and committed. Resolves once the forwarders had their go; a
   * forwarder failure is logged, never thrown: the write itself succeeded, and other instances
   * still converge (their caches expire).
   */
  async announce(change: ConfigChange): Promise<void> {
    this.emit({ type: 'change', change, origin: 'local' });
    await Promise.all(
      [...this.forwarders].map((f) =>
        f.forward(change).catch((e: unknown) => {
          this.logger.warn(
            `Could not forward a ${change.kind} change through ${f.name}: ${errorText(e)}`,
          );
        }),
      ),
    );
  }

  /** A change another instance (or an out-of-band write) made, seen by a source or relay. */
  receive(change: ConfigChange): void {
    this.emit({ type: 'change', change, origin: 'remote' });
  }

  /** Changes may have been missed: every cache drops everything. */
  resync(reason: string): void {
    watcherMetrics.resyncs.inc();
    this.logger.log(`config caches dropped: ${reason}`);
    this.emit({ type: 'resync', reason });
  }

  addForwarder(forwarder: ChangeForwarder): () => void {
    this.forwarders.add(forwarder);
    return () => this.forwarders.delete(forwarder);
  }

  forwarderNames(): string[] {
    return [...this.forwarders].map((f) => f.name);
  }

  /** When the last change (local or remote) or resync went through, and how many so far. */
  stats(): { lastEventAt: Date | undefined; events: number } {
    return { lastEventAt: this.last, events: this.count };
  }

  private emit(event: ConfigEvent): void {
    this.last = new Date();
    this.count++;
    if (event.type === 'change') {
      watcherMetrics.changes.inc({ kind: event.change.kind, origin: event.origin });
    }
    for (const sub of this.subscriptions) {
      if (event.type === 'change' && sub.kinds && !sub.kinds.has(event.change.kind)) continue;
      try {
        sub.listener(event);
      } catch (e) {
        // One broken cache must not keep the others stale.
        this.logger.error(`A config change listener failed: ${errorText(e)}`);
      }
    }
  }
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
