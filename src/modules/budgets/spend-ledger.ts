import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { RateLimitStore, StoreCallPolicy } from '../throttling';
import type { BudgetPeriod, BudgetSubject } from './budget.types';
import { periodWindow, type PeriodWindow } from './budget-periods';

/** Dollar amounts are counted in integer nano-dollars, so the store's integer counters stay exact. */
export const NANO_PER_USD = 1_000_000_000;
export const toNano = (usd: number): number => Math.round(usd * NANO_PER_USD);
export const fromNano = (nano: number): number => nano / NANO_PER_USD;

/** One budget counter: a subject's spend in one period. */
export interface BudgetRef {
  orgId: string;
  subject: BudgetSubject;
  subjectId: string;
  period: BudgetPeriod;
}

/** What was held on a budget for one request until it is settled. */
export interface SpendHold {
  readonly ref: BudgetRef;
  readonly window: PeriodWindow;
  readonly heldKey: string;
  readonly spentKey: string;
  /** Nano-dollars held for this request. */
  readonly amount: number;
  done: boolean;
}

export type SpendReserveOutcome =
  | { granted: true; hold: SpendHold; committed: number }
  | { granted: false; committed: number; window: PeriodWindow };

/**
 * The dollar counters of every budget, on the same atomic store as the rate limits (Redis Lua
 * when REDIS_URL is set, memory in embedded mode). Each budget period has two counters:
 * - `held`: settled spend plus live reservations. Admission is one atomic `reserve` on it (added
 *   only while it is below the limit), so concurrent requests on any number of instances overshoot
 *   a limit by at most the estimate of the one request that crossed it;
 * - `spent`: settled spend only, for display (`held - spent` is what is reserved right now).
 * Settling corrects `held` by (actual - estimate) and adds the actual to `spent`. Counters live
 * for their period plus one day, so a settlement arriving just after midnight still corrects the
 * period the request was admitted in.
 */
@Injectable()
export class SpendLedger {
  constructor(
    private readonly store: RateLimitStore,
    private readonly policy: StoreCallPolicy,
  ) {}

  /**
   * Holds `amount` nano-dollars while the period's committed total is below `limit`. Undefined
   * when the store is unreachable under the fail-open policy (the request runs unbudgeted).
   */
  async reserve(
    ref: BudgetRef,
    amount: number,
    limit: number,
    now = Date.now(),
  ): Promise<SpendReserveOutcome | undefined> {
    const window = periodWindow(ref.period, now);
    const { heldKey, spentKey } = keysOf(ref, window);
    const held = Math.max(0, Math.ceil(amount));
    const reply = await this.policy.run('budget_reserve', () =>
      this.store.reserve(heldKey, held, limit, ttlOf(window, now)),
    );
    if (!reply) return undefined;
    if (!reply.granted) return { granted: false, committed: reply.value, window };
    return {
      granted: true,
      committed: reply.value,
      hold: { ref, window, heldKey, spentKey, amount: held, done: false },
    };
  }

  /**
   * Replaces the hold by the real cost. Returns the period's committed total afterwards (for
   * alerts), or undefined when already settled or the store failed. Never throws.
   */
  async settle(hold: SpendHold, actual: number, now = Date.now()): Promise<number | undefined> {
    if (hold.done) return undefined;
    hold.done = true;
    const real = Math.max(0, Math.round(actual));
    const committed = await this.quiet('budget_settle', () =>
      this.store.adjust(hold.heldKey, real - hold.amount),
    );
    if (real > 0) {
      await this.quiet('budget_spend', () =>
        this.store.addTo(hold.spentKey, real, ttlOf(hold.window, now)),
      );
    }
    return committed ?? undefined;
  }

  /** Spend that had no reservation (usage arriving after its request ended). Never throws. */
  async spend(ref: BudgetRef, amount: number, now = Date.now()): Promise<number | undefined> {
    const real = Math.max(0, Math.round(amount));
    if (real === 0) return undefined;
    const window = periodWindow(ref.period, now);
    const { heldKey, spentKey } = keysOf(ref, window);
    const ttl = ttlOf(window, now);
    const committed = await this.quiet('budget_spend', () => this.store.addTo(heldKey, real, ttl));
    await this.quiet('budget_spend', () => this.store.addTo(spentKey, real, ttl));
    return committed;
  }

  /** The period's counters in nano-dollars (adding 0 reads them atomically). */
  async read(ref: BudgetRef, now = Date.now()): Promise<{ committed: number; spent: number }> {
    const window = periodWindow(ref.period, now);
    const { heldKey, spentKey } = keysOf(ref, window);
    const ttl = ttlOf(window, now);
    const [committed, spent] = await Promise.all([
      this.store.addTo(heldKey, 0, ttl),
      this.store.addTo(spentKey, 0, ttl),
    ]);
    return { committed, spent };
  }

  /**
   * Claims a once-per-period flag (e.g. "the 80 % alert was sent"); true for exactly one caller
   * across every instance. False when the store fails (an alert is better skipped than doubled).
   */
  async claimOnce(ref: BudgetRef, flag: string, now = Date.now()): Promise<boolean> {
    const window = periodWindow(ref.period, now);
    const key = `${keysOf(ref, window).base}:once:${flag}`;
    const reply = await this.quiet('budget_flag', () =>
      this.store.reserve(key, 1, 1, ttlOf(window, now)),
    );
    return reply?.granted === true;
  }

  private async quiet<T>(operation: string, call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await this.policy.run(operation, call);
    } catch {
      return undefined;
    }
  }
}

function keysOf(ref: BudgetRef, w: PeriodWindow) {
  // The org in braces: every counter of one org hashes to the same Redis Cluster slot.
  const base = `spend:{${part(ref.orgId)}}:${ref.subject}:${part(ref.subjectId)}:${w.label}`;
  return { base, heldKey: `${base}:held`, spentKey: `${base}:spent` };
}

/** The rest of the period plus a day, so late settlements still find the counter. */
function ttlOf(w: PeriodWindow, now: number): number {
  return w.endMs - now + 86_400_000;
}

function part(value: string): string {
  if (value.length > 128) return `h.${createHash('sha256').update(value).digest('hex')}`;
  return encodeURIComponent(value);
}
