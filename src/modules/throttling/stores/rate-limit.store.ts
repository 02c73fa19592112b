import type { ThrottlerStorage } from '@nestjs/throttler';

/** What a hit reports (the package does not export the record type from its root). */
export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * Counters for rate limits, behind @nestjs/throttler's storage interface so either store could
 * also back a stock `ThrottlerGuard`. `increment` is a fixed window that opens at a key's first
 * hit: the hit is counted and the key's expiry set in one atomic step (a Lua script in Redis, a
 * synchronous update in memory), so concurrent requests — on one instance or many — are
 * admitted exactly up to the limit. Refused hits are counted too, which only affects
 * `totalHits`, never who is admitted. A block lasts until the window resets: `blockDuration`
 * is accepted for the interface but a separate, longer block is not implemented.
 *
 * `addTo`/`read` serve the token budget: counters that grow by an amount, read before a call.
 */
export abstract class RateLimitStore implements ThrottlerStorage {
  abstract increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord>;

  /** Adds `amount` to a counter that expires `ttlMs` after it is created; returns the total. */
  abstract addTo(key: string, amount: number, ttlMs: number): Promise<number>;

  /** The counter's value (0 when absent). */
  abstract read(key: string): Promise<number>;
}

/** The record for a fixed window after this hit. */
export function windowRecord(hits: number, limit: number, msLeft: number): ThrottlerStorageRecord {
  const seconds = Math.max(1, Math.ceil(msLeft / 1000));
  const isBlocked = hits > limit;
  return {
    totalHits: hits,
    timeToExpire: seconds,
    isBlocked,
    timeToBlockExpire: isBlocked ? seconds : 0,
  };
}
