import { Injectable } from '@nestjs/common';
import { RateLimitStore } from '../stores/rate-limit.store';
import { StoreCallPolicy } from '../stores/store-call-policy';

/** What was taken from a budget for one piece of work, until it is settled or released. */
export interface Reservation {
  /** The store key of the budget's current window. */
  readonly key: string;
  /** The amount held on the counter for this work. */
  readonly amount: number;
  /** The window's counter right after the reservation (for RateLimit-style headers). */
  readonly used: number;
  readonly limit: number;
  /** Seconds until the window resets. */
  readonly resetSeconds: number;
  /** Set once settled or released: later calls are no-ops, so either may run twice safely. */
  done: boolean;
}

export type ReserveOutcome =
  | { granted: true; reservation: Reservation }
  | { granted: false; used: number; limit: number; resetSeconds: number };

/**
 * Budgets that are spent by amounts whose size is only known afterwards (tokens now; dollars
 * per API key, user or org later): reserve an estimate atomically before the work, settle the
 * real amount after it, release the whole reservation when the work never happened.
 *
 * Windows are aligned to the clock (`windowMs`), so every instance agrees on which window a
 * moment belongs to without reading the key's expiry, and a settlement that arrives after the
 * window ended corrects the window the work was admitted in (its counter is kept one extra
 * window for that) instead of charging the next one.
 *
 * Admission: a reservation is granted while the window's counter is below the limit, and the
 * check and the addition are one atomic store step. Concurrent reservations therefore overshoot
 * the limit by at most the amount of the one that crossed it — never by every request that saw
 * the same "remaining" — and a single estimate larger than the whole budget is still admitted
 * into an empty window rather than never. Amounts are integers in the budget's unit.
 *
 * Store failures follow StoreCallPolicy for `reserve` (unreachable + fail open: undefined, the
 * caller proceeds unbudgeted); settling and releasing never throw (a failed refund only leaves
 * the window stricter than it should be).
 */
@Injectable()
export class BudgetReservations {
  constructor(
    private readonly store: RateLimitStore,
    private readonly policy: StoreCallPolicy,
  ) {}

  async reserve(
    key: string,
    amount: number,
    limit: number,
    windowMs: number,
    now = Date.now(),
  ): Promise<ReserveOutcome | undefined> {
    const windowKey = this.windowKey(key, windowMs, now);
    const held = Math.max(0, Math.ceil(amount));
    const reply = await this.policy.run('reserve', () =>
      this.store.reserve(windowKey, held, limit, this.ttl(windowMs, now)),
    );
    if (!reply) return undefined;
    const resetSeconds = secondsLeft(windowMs, now);
    if (!reply.granted) return { granted: false, used: reply.value, limit, resetSeconds };
    return {
      granted: true,
      reservation: {
        key: windowKey,
        amount: held,
        used: reply.value,
        limit,
        resetSeconds,
        done: false,
      },
    };
  }

  /** Replaces the reserved amount with what was really used (more or less). */
  async settle(reservation: Reservation, actual: number): Promise<void> {
    if (reservation.done) return;
    reservation.done = true;
    const delta = Math.max(0, Math.ceil(actual)) - reservation.amount;
    if (delta === 0) return;
    await this.policy.quietly('settle', () => this.store.adjust(reservation.key, delta));
  }

  /** The work did not happen: the whole reservation goes back. */
  release(reservation: Reservation): Promise<void> {
    return this.settle(reservation, 0);
  }

  /** Spending that was never reserved (e.g. work admitted elsewhere); never throws. */
  async spend(key: string, amount: number, windowMs: number, now = Date.now()): Promise<void> {
    if (!(amount > 0)) return;
    const windowKey = this.windowKey(key, windowMs, now);
    await this.policy.quietly('add', () =>
      this.store.addTo(windowKey, Math.ceil(amount), this.ttl(windowMs, now)),
    );
  }

  private windowKey(key: string, windowMs: number, now: number): string {
    return `${key}:${Math.floor(now / windowMs)}`;
  }

  /** The rest of the window plus one more, so late settlements still find the counter. */
  private ttl(windowMs: number, now: number): number {
    return windowMs - (now % windowMs) + windowMs;
  }
}

function secondsLeft(windowMs: number, now: number): number {
  return Math.max(1, Math.ceil((windowMs - (now % windowMs)) / 1000));
}
