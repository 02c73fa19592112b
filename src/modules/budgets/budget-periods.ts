import type { BudgetPeriod } from './budget.types';

/** One UTC calendar period: its start (inclusive), end (exclusive) and a stable label. */
export interface PeriodWindow {
  period: BudgetPeriod;
  /** `2026-12-04` for a day, `2026-12` for a month. */
  label: string;
  startMs: number;
  endMs: number;
}

/**
 * The UTC day or calendar month `now` falls in. Calendar months have different lengths, so the
 * window is computed from the date, not from a fixed epoch-aligned length; every instance agrees
 * on it from the clock alone.
 */
export function periodWindow(period: BudgetPeriod, now: number): PeriodWindow {
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  if (period === 'day') {
    const day = d.getUTCDate();
    const startMs = Date.UTC(y, m, day);
    return { period, label: d.toISOString().slice(0, 10), startMs, endMs: Date.UTC(y, m, day + 1) };
  }
  return {
    period,
    label: d.toISOString().slice(0, 7),
    startMs: Date.UTC(y, m, 1),
    endMs: Date.UTC(y, m + 1, 1),
  };
}

/** Whole seconds until the window ends (at least 1, as Retry-After needs). */
export function secondsUntilReset(w: PeriodWindow, now: number): number {
  return Math.max(1, Math.ceil((w.endMs - now) / 1000));
}
