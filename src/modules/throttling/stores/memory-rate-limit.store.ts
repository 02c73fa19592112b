import { OnApplicationShutdown } from '@nestjs/common';
import {
  RateLimitStore,
  windowRecord,
  type ReserveReply,
  type ThrottlerStorageRecord,
} from './rate-limit.store';

interface Counter {
  value: number;
  expiresAt: number;
}

const SWEEP_INTERVAL_MS = 60_000;

/**
 * Counters in this process's memory (no REDIS_URL), with the Redis store's semantics. Exact
 * within the process: each update runs synchronously, so no two requests interleave between
 * check and write. Not shared between instances — that is what the Redis store is for.
 */
export class MemoryRateLimitStore extends RateLimitStore implements OnApplicationShutdown {
  private readonly counters = new Map<string, Counter>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    super();
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration?: number,
    _throttlerName?: string,
  ): Promise<ThrottlerStorageRecord> {
    const counter = this.bump(key, 1, ttl);
    return windowRecord(counter.value, limit, counter.expiresAt - this.now());
  }

  async reserve(key: string, amount: number, limit: number, ttlMs: number): Promise<ReserveReply> {
    const current = this.live(key);
    if ((current?.value ?? 0) >= limit) {
      const msLeft = current ? current.expiresAt - this.now() : ttlMs;
      return { granted: false, value: current?.value ?? 0, msLeft };
    }
    const counter = this.bump(key, Math.trunc(amount), ttlMs);
    return { granted: true, value: counter.value, msLeft: counter.expiresAt - this.now() };
  }

  async adjust(key: string, delta: number): Promise<number | undefined> {
    const counter = this.live(key);
    if (!counter) return undefined;
    counter.value = Math.max(0, counter.value + Math.trunc(delta));
    return counter.value;
  }

  async addTo(key: string, amount: number, ttlMs: number): Promise<number> {
    return this.bump(key, Math.trunc(amount), ttlMs).value;
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
    this.counters.clear();
  }

  private bump(key: string, amount: number, ttlMs: number): Counter {
    let counter = this.live(key);
    if (!counter) {
      counter = { value: 0, expiresAt: this.now() + ttlMs };
      this.counters.set(key, counter);
    }
    counter.value += amount;
    return counter;
  }

  private live(key: string): Counter | undefined {
    const counter = this.counters.get(key);
    if (counter && counter.expiresAt <= this.now()) {
      this.counters.delete(key);
      return undefined;
    }
    return counter;
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, counter] of this.counters) {
      if (counter.expiresAt <= now) this.counters.delete(key);
    }
  }
}
