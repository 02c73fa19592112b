import { OnApplicationShutdown } from '@nestjs/common';
import { RateLimitStore, windowRecord, type ThrottlerStorageRecord } from './rate-limit.store';

interface Counter {
  value: number;
  expiresAt: number;
}

const SWEEP_INTERVAL_MS = 60_000;

/**
 * Counters in this process's memory (no REDIS_URL). Exact within the process: each update runs
 * synchronously, so no two requests interleave between read and write. Not shared between
 * instances — that is what the Redis store is for.
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

  async addTo(key: string, amount: number, ttlMs: number): Promise<number> {
    return this.bump(key, amount, ttlMs).value;
  }

  async read(key: string): Promise<number> {
    return this.live(key)?.value ?? 0;
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
