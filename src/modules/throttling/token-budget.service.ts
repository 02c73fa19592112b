import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Principal } from '../../common/auth/principal';
import { AppException, ErrorCode } from '../../common/errors';
import { limitsConfig } from '../../config';
import { BudgetReservations, type Reservation } from './budgets/budget-reservations';
import { part, WINDOW_MS } from './rate-limit-plan';
import { rateLimited } from './throttling.metrics';

export interface TokenBudgetState {
  limit: number;
  used: number;
  remaining: number;
  /** Seconds until the current minute's budget resets. */
  resetSeconds: number;
}

/** A request's reservation and the tokens its provider rounds have reported so far. */
interface Held {
  reservation: Reservation;
  used: number;
}

/**
 * Tokens per org per minute (RATE_LIMIT_ORG_TOKENS_PER_MINUTE; 0 = off), on BudgetReservations:
 * - before the call, the rate-limit guard `reserve`s the request's estimate (input characters / 4
 *   plus its max output); a spent budget answers 429. The reservation is atomic, so a burst
 *   overshoots the budget by at most one request's estimate;
 * - the pipeline `record`s each provider round's real usage against the request;
 * - when the response ends (sent, failed or aborted), `settle` replaces the estimate with the real
 *   usage — a failed call with no usage gives the whole estimate back.
 * Requests are told apart by their principal object (one per request, the one the pipeline's
 * job carries), so the pipeline needs no request handle. Usage with no live reservation (a job
 * run later from the queue, a round that ends after its response closed) is added as spent.
 */
@Injectable()
export class TokenBudget {
  private readonly held = new WeakMap<Principal, Held>();

  constructor(
    @Inject(limitsConfig.KEY) private readonly cfg: ConfigType<typeof limitsConfig>,
    private readonly reservations: BudgetReservations,
  ) {}

  get enabled(): boolean {
    return this.cfg.orgTokensPerMinute > 0;
  }

  /**
   * Reserves `estimate` tokens of the principal's org budget for this request; 429 when the
   * minute's budget is spent. Undefined when the budget is off or the store is unreachable under
   * the fail-open policy (the request then runs unbudgeted).
   */
  async reserve(
    principal: Principal,
    estimate: number,
    now = Date.now(),
  ): Promise<TokenBudgetState | undefined> {
    if (!this.enabled) return undefined;
    const limit = this.cfg.orgTokensPerMinute;
    const outcome = await this.reservations.reserve(
      this.keyFor(principal.orgId),
      estimate,
      limit,
      WINDOW_MS,
      now,
    );
    if (!outcome) return undefined;
    if (!outcome.granted) {
      rateLimited().inc({ level: 'org_tokens' });
      throw new AppException(
        ErrorCode.RATE_LIMITED,
        `Token limit reached: ${limit} tokens per minute for this organisation; retry in ${outcome.resetSeconds}s`,
        {
          details: { level: 'org_tokens', limit, reset_seconds: outcome.resetSeconds },
          headers: { 'retry-after': String(outcome.resetSeconds) },
        },
      );
    }
    const { reservation } = outcome;
    this.held.set(principal, { reservation, used: 0 });
    return {
      limit,
      used: reservation.used,
      remaining: Math.max(0, limit - reservation.used),
      resetSeconds: reservation.resetSeconds,
    };
  }

  /** One provider round's real usage. Never throws and never waits. */
  record(principal: Principal, tokens: number): void {
    if (!this.enabled || !Number.isFinite(tokens) || tokens <= 0) return;
    const held = this.held.get(principal);
    if (held && !held.reservation.done) held.used += tokens;
    else void this.consume(principal.orgId, tokens);
  }

  /** The request is over: its real usage replaces the estimate. Idempotent; never throws. */
  async settle(principal: Principal): Promise<void> {
    const held = this.held.get(principal);
    if (!held) return;
    this.held.delete(principal);
    await this.reservations.settle(held.reservation, held.used);
  }

  /** Counts tokens used without a reservation. Never throws. */
  async consume(orgId: string, tokens: number, now = Date.now()): Promise<void> {
    if (!this.enabled || !Number.isFinite(tokens) || tokens <= 0) return;
    await this.reservations.spend(this.keyFor(orgId), tokens, WINDOW_MS, now);
  }

  private keyFor(orgId: string): string {
    return `tokens:{${part(orgId)}}`;
  }
}
