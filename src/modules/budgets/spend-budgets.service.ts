import { Inject, Injectable, Logger, Optional, type OnModuleDestroy } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Principal } from '../../common/auth/principal';
import { storesConfig } from '../../config';
import { ConfigChangeBus } from '../config-watcher';
import { AppException, ErrorCode } from '../../common/errors';
import { BudgetAlerts } from './budget-alerts';
import { BudgetPoliciesRepository } from './budget-policies.repository';
import { periodWindow, secondsUntilReset, type PeriodWindow } from './budget-periods';
import {
  BUDGET_PERIODS,
  ORG_SUBJECT_ID,
  type BudgetPeriod,
  type BudgetPolicy,
  type BudgetSubject,
} from './budget.types';
import { modelAllowed, type RequestTarget } from './request-target';
import { fromNano, SpendLedger, toNano, type BudgetRef, type SpendHold } from './spend-ledger';

/**
 * How long an instance trusts its copy of an org's policies when nothing announces changes (no
 * config watcher). With one, a change on any instance drops the copy at once, and the copy lives
 * for CONFIG_CACHE_TTL_MS like every other cached setting.
 */
const UNWATCHED_POLICY_TTL_MS = 5_000;
const MAX_CACHED_ORGS = 10_000;
/** A policy read slower than this is treated as failed (the request is not held up longer). */
const POLICY_READ_TIMEOUT_MS = 2_000;

/** One limit that applies to a request. */
interface Applicable {
  ref: BudgetRef;
  limitUsd: number;
  alertPercent: number | null;
}

/** A request's holds and the real cost its provider rounds have reported so far. */
interface Held {
  holds: Array<{ hold: SpendHold; applicable: Applicable }>;
  usedNano: number;
}

/** One budget's state, as GET /api/v1/budgets shows it. */
export interface BudgetState {
  subject: BudgetSubject;
  subject_id: string;
  period: BudgetPeriod;
  limit_usd: number;
  spent_usd: number;
  reserved_usd: number;
  remaining_usd: number;
  alert_percent: number | null;
  period_start: string;
  resets_at: string;
}

/**
 * Dollar budgets per org, API key and user (day and month, UTC), and model allowlists.
 * - `admit` (the budget guard, before the call): refuses a model outside an allowlist (403
 *   MODEL_NOT_ALLOWED), then holds the request's estimated cost on every budget that applies, all
 *   at once; a spent budget answers 429 BUDGET_EXCEEDED naming it and its reset time, and the
 *   holds already taken go back;
 * - `record` (the pipeline, per provider round): adds the round's real cost;
 * - `settle` (when the response ends, sent, failed or aborted): the real cost replaces the
 *   estimate; a failed call with no usage gives everything back. Crossing an alert percentage
 *   fires the signed webhook once per budget and period.
 * Requests are told apart by their principal object, as the token budget does. Cost reported
 * with no live hold (a job run later from the queue) is added as spent.
 */
@Injectable()
export class SpendBudgets implements OnModuleDestroy {
  private readonly logger = new Logger('SpendBudgets');
  private readonly held = new WeakMap<Principal, Held>();
  private readonly policies = new Map<string, { at: number; list: Promise<BudgetPolicy[]> }>();
  /** Each org's policies as last read, for when the store fails. */
  private readonly lastKnown = new Map<string, BudgetPolicy[]>();

  private readonly policyTtlMs: number;
  private readonly unsubscribe?: () => void;

  constructor(
    private readonly repo: BudgetPoliciesRepository,
    private readonly ledger: SpendLedger,
    private readonly alerts: BudgetAlerts,
    @Optional() changes?: ConfigChangeBus,
    @Optional() @Inject(storesConfig.KEY) stores?: ConfigType<typeof storesConfig>,
  ) {
    this.policyTtlMs = changes ? (stores?.configCacheTtlMs ?? 30_000) : UNWATCHED_POLICY_TTL_MS;
    // A policy changed anywhere (this instance, another one, or by hand in the database) drops
    // the org's copy; a resync, or a change whose org the source cannot tell, drops them all.
    this.unsubscribe = changes?.subscribe(['budget_policy'], (e) => {
      if (e.type === 'change' && e.change.org_id !== null) this.forget(e.change.org_id);
      else this.policies.clear();
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** The limits and allowlists that apply to this caller (cached briefly). */
  async applicable(principal: Principal): Promise<{ limits: Applicable[]; allow: string[][] }> {
    const all = await this.orgPolicies(principal.orgId);
    const limits: Applicable[] = [];
    const allow: string[][] = [];
    if (all.length === 0) return { limits, allow };
    const mine = (p: BudgetPolicy) =>
      (p.subject === 'org' && p.subject_id === ORG_SUBJECT_ID) ||
      (p.subject === 'key' && p.subject_id === principal.apiKeyId) ||
      (p.subject === 'user' && p.subject_id === principal.userId);
    for (const p of all.filter(mine)) {
      if (p.allowed_models) allow.push(p.allowed_models);
      for (const period of BUDGET_PERIODS) {
        const limitUsd = period === 'day' ? p.day_usd : p.month_usd;
        if (limitUsd === null || limitUsd === undefined) continue;
        limits.push({
          ref: { orgId: principal.orgId, subject: p.subject, subjectId: p.subject_id, period },
          limitUsd,
          alertPercent: p.alert_percent,
        });
      }
    }
    return { limits, allow };
  }

  /** Allowlists, then the holds (see the class comment). Throws 403 or 429. */
  async admit(
    principal: Principal,
    target: RequestTarget,
    now = Date.now(),
    applying?: { limits: Applicable[]; allow: string[][] },
  ): Promise<void> {
    // The guard has already looked the policies up; other callers (tests) let admit do it.
    const { limits, allow } = applying ?? (await this.applicable(principal));
    for (const list of allow) {
      if (!modelAllowed(list, target.model)) {
        throw new AppException(
          ErrorCode.MODEL_NOT_ALLOWED,
          target.model
            ? `Model ${target.model} is not allowed for this caller`
            : 'The model of this request could not be determined, and this caller may only use listed models',
          { details: { model: target.model ?? null, allowed_models: list }, param: 'model' },
        );
      }
    }
    if (limits.length === 0) return;
    const amount = toNano(target.estimateUsd);
    const outcomes = await Promise.all(
      limits.map((a) => this.ledger.reserve(a.ref, amount, toNano(a.limitUsd), now)),
    );
    const held: Held = { holds: [], usedNano: 0 };
    let refused: { a: Applicable; window: PeriodWindow; committed: number } | undefined;
    outcomes.forEach((o, i) => {
      if (!o) return; // store unreachable under fail open: this budget is not enforced
      if (o.granted) held.holds.push({ hold: o.hold, applicable: limits[i] });
      else if (!refused || o.window.endMs > refused.window.endMs) {
        refused = { a: limits[i], window: o.window, committed: o.committed };
      }
    });
    if (refused) {
      await Promise.all(held.holds.map(({ hold }) => this.ledger.settle(hold, 0, now)));
      throw exceeded(refused.a, refused.window, refused.committed, now);
    }
    if (held.holds.length > 0) this.held.set(principal, held);
  }

  /**
   * The candidates (an agent's fallbacks) this caller's allowlists permit, in order. Admission
   * checked the primary model; a fallback outside an allowlist is skipped rather than called, so
   * an agent cannot carry a caller to a model it may not use. Reads the cached policies, so it
   * holds for a queued job run later as well.
   */
  async permitted<T extends { service: string; model: string }>(
    principal: Principal,
    candidates: readonly T[],
  ): Promise<T[]> {
    if (candidates.length === 0) return [];
    const { allow } = await this.applicable(principal);
    return candidates.filter((c) =>
      allow.every((list) => modelAllowed(list, `${c.service}/${c.model}`)),
    );
  }

  /** One provider round's real cost. Never throws and never waits. */
  record(principal: Principal, costUsd: number | null | undefined, now = Date.now()): void {
    if (typeof costUsd !== 'number' || !Number.isFinite(costUsd) || costUsd <= 0) return;
    const held = this.held.get(principal);
    if (held && !held.holds.every((h) => h.hold.done)) {
      held.usedNano += toNano(costUsd);
      return;
    }
    void this.spendUnreserved(principal, costUsd, now);
  }

  /** The request is over: its real cost replaces the estimate. Idempotent; never throws. */
  async settle(principal: Principal, now = Date.now()): Promise<void> {
    const held = this.held.get(principal);
    if (!held) return;
    this.held.delete(principal);
    await Promise.all(
      held.holds.map(async ({ hold, applicable }) => {
        const committed = await this.ledger.settle(hold, held.usedNano, now);
        await this.maybeAlert(applicable, committed, now);
      }),
    );
  }

  /** Every budget of the org with its spend, reservations, remainder and reset time. */
  async states(orgId: string, now = Date.now()): Promise<BudgetState[]> {
    const out: BudgetState[] = [];
    for (const p of await this.repo.list(orgId)) {
      for (const period of BUDGET_PERIODS) {
        const limitUsd = period === 'day' ? p.day_usd : p.month_usd;
        if (limitUsd === null || limitUsd === undefined) continue;
        const ref: BudgetRef = { orgId, subject: p.subject, subjectId: p.subject_id, period };
        const { committed, spent } = await this.ledger.read(ref, now);
        const w = periodWindow(period, now);
        out.push({
          subject: p.subject,
          subject_id: p.subject_id,
          period,
          limit_usd: limitUsd,
          spent_usd: fromNano(spent),
          reserved_usd: fromNano(Math.max(0, committed - spent)),
          remaining_usd: Math.max(0, fromNano(toNano(limitUsd) - committed)),
          alert_percent: p.alert_percent,
          period_start: new Date(w.startMs).toISOString(),
          resets_at: new Date(w.endMs).toISOString(),
        });
      }
    }
    return out;
  }

  /** Drops this instance's copy of the org's policies (after a write). */
  forget(orgId: string): void {
    this.policies.delete(orgId);
  }

  /**
   * The org's policies, cached (see policyTtlMs). A store that fails or does not answer within
   * POLICY_READ_TIMEOUT_MS must not take the completion routes down with it: the last policies
   * read are used (or none, when this instance never read them), and a warning is logged.
   */
  private orgPolicies(orgId: string): Promise<BudgetPolicy[]> {
    const now = Date.now();
    const cached = this.policies.get(orgId);
    if (cached && now - cached.at < this.policyTtlMs) return cached.list;
    if (this.policies.size >= MAX_CACHED_ORGS) this.policies.clear();
    if (this.lastKnown.size >= MAX_CACHED_ORGS) this.lastKnown.clear();
    const list = withDeadline(this.repo.list(orgId), POLICY_READ_TIMEOUT_MS).then(
      (read) => {
        this.lastKnown.set(orgId, read);
        return read;
      },
      (e: unknown) => {
        this.logger.warn(
          `Budget policies of an org could not be read; using the last known ones: ${e instanceof Error ? e.message : String(e)}`,
        );
        return this.lastKnown.get(orgId) ?? [];
      },
    );
    this.policies.set(orgId, { at: now, list });
    return list;
  }

  private async spendUnreserved(principal: Principal, costUsd: number, now: number): Promise<void> {
    try {
      const { limits } = await this.applicable(principal);
      for (const a of limits) {
        const committed = await this.ledger.spend(a.ref, toNano(costUsd), now);
        await this.maybeAlert(a, committed, now);
      }
    } catch (e) {
      this.logger.warn(
        `Unreserved spend not counted: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  private async maybeAlert(a: Applicable, committed: number | undefined, now: number) {
    if (a.alertPercent === null || committed === undefined) return;
    const threshold = (toNano(a.limitUsd) * a.alertPercent) / 100;
    if (committed < threshold) return;
    if (!(await this.ledger.claimOnce(a.ref, `alert${a.alertPercent}`, now))) return;
    const w = periodWindow(a.ref.period, now);
    await this.alerts.fire({
      org_id: a.ref.orgId,
      subject: a.ref.subject,
      subject_id: a.ref.subjectId,
      period: a.ref.period,
      period_start: new Date(w.startMs).toISOString(),
      resets_at: new Date(w.endMs).toISOString(),
      threshold_percent: a.alertPercent,
      limit_usd: a.limitUsd,
      committed_usd: fromNano(committed),
    });
  }
}

function exceeded(a: Applicable, w: PeriodWindow, committed: number, now: number): AppException {
  const retryAfter = secondsUntilReset(w, now);
  const resetsAt = new Date(w.endMs).toISOString();
  const who =
    a.ref.subject === 'org' ? 'organisation' : a.ref.subject === 'key' ? 'API key' : 'user';
  return new AppException(
    ErrorCode.BUDGET_EXCEEDED,
    `Budget exceeded: the ${who}'s ${a.ref.period === 'day' ? 'daily' : 'monthly'} budget of $${a.limitUsd} is spent; it resets at ${resetsAt}`,
    {
      details: {
        budget: a.ref.subject,
        subject_id: a.ref.subject === 'org' ? undefined : a.ref.subjectId,
        period: a.ref.period,
        limit_usd: a.limitUsd,
        committed_usd: fromNano(committed),
        resets_at: resetsAt,
        reset_seconds: retryAfter,
      },
      headers: { 'retry-after': String(retryAfter) },
    },
  );
}

/** `p`, or a rejection once `ms` have passed without it settling. */
function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}
