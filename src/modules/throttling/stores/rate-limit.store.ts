import type { ThrottlerStorage } from '@nestjs/throttler';

/** What a hit reports (the package does not export the record type from its root). */
export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** The answer to a reservation: granted or not, the counter after it, and ms until it expires. */
export interface ReserveReply {
  granted: boolean;
  /** The counter's value after the call (unchanged when refused). */
  value: number;
  msLeft: number;
}

/**
 * Counters for rate limits and budgets, behind @nestjs/throttler's storage interface so either
 * store also backs a stock `ThrottlerGuard`. Every operation is one atomic step (a Lua script in
 * Redis, a synchronous update in memory), so concurrent requests — on one instance or many —
 * see each other's effect exactly:
 * - `increment`: a fixed window that opens at a key's first hit; the hit is counted and the
 *   key's expiry set together, so a burst is admitted exactly up to the limit. Refused hits are
 *   counted too, which only affects `totalHits`, never who is admitted. A block lasts until the
 *   window resets: `blockDuration` is accepted for the interface but a separate, longer block is
 *   not implemented.
 * - `reserve`/`adjust`: budgets that grow by amounts (tokens now, dollars later). `reserve` adds
 *   an amount only while the counter is below the limit, in the same step as the check, so
 *   concurrent reservations cannot all see the same "remaining"; `adjust` corrects a live
 *   counter by the difference between what was reserved and what was used.
 * - `addTo`: usage that was never reserved (counted, never refused).
 *
 * Implementations throw StoreUnreachableError when they know the command was not sent.
 */
export abstract class RateLimitStore implements ThrottlerStorage {
  abstract increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord>;

  /**
   * Adds `amount` when the counter is below `limit` (a counter at or over its limit refuses
   * every reservation). A new counter expires `ttlMs` after it is created.
   */
  abstract reserve(
    key: string,
    amount: number,
    limit: number,
    ttlMs: number,
  ): Promise<ReserveReply>;

  /**
   * Adds `delta` (negative to refund) to a counter that still exists, never taking it below 0;
   * a counter that has expired is left alone (its window is over). Returns the new value, or
   * undefined when the counter was gone.
   */
  abstract adjust(key: string, delta: number): Promise<number | undefined>;

  /** Adds `amount` to a counter that expires `ttlMs` after it is created; returns the total. */
  abstract addTo(key: string, amount: number, ttlMs: number): Promise<number>;
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
