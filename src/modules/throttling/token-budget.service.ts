import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { AppException, ErrorCode } from '../../common/errors';
import { limitsConfig } from '../../config';
import { part, WINDOW_MS } from './rate-limit-plan';
import { RateLimitStore } from './stores/rate-limit.store';
import { StoreCallPolicy } from './stores/store-call-policy';
import { rateLimited } from './throttling.metrics';

export interface TokenBudgetState {
  limit: number;
  used: number;
  remaining: number;
  /** Seconds until the current minute's budget resets. */
  resetSeconds: number;
}

/**
 * Tokens per org per minute (RATE_LIMIT_ORG_TOKENS_PER_MINUTE; 0 = off), counted from real
 * usage: the completion pipeline calls `consume` with the tokens a call actually used, and
 * `check` refuses new calls once the minute's budget is spent. Windows are aligned to the clock
 * minute so that `check` and `consume` agree on the window without reading the key's expiry. A
 * call already admitted may overshoot the budget — tokens are only known afterwards — and the
 * overshoot is counted, so the next calls wait for the reset.
 */
@Injectable()
export class TokenBudget {
  constructor(
    @Inject(limitsConfig.KEY) private readonly cfg: ConfigType<typeof limitsConfig>,
    private readonly store: RateLimitStore,
    private readonly policy: StoreCallPolicy,
  ) {}

  get enabled(): boolean {
    return this.cfg.orgTokensPerMinute > 0;
  }

  /**
   * The org's budget for this minute; 429 when it is spent. Undefined when the budget is off or
   * the store failed under the fail-open policy.
   */
  async check(orgId: string, now = Date.now()): Promise<TokenBudgetState | undefined> {
    if (!this.enabled) return undefined;
    const used = await this.policy.run('read', () => this.store.read(this.keyFor(orgId, now)));
    if (used === undefined) return undefined;
    const state = this.stateOf(used, now);
    if (state.remaining <= 0) {
      rateLimited().inc({ level: 'org_tokens' });
      throw new AppException(
        ErrorCode.RATE_LIMITED,
        `Token limit reached: ${state.limit} tokens per minute for this organisation; retry in ${state.resetSeconds}s`,
        {
          details: { level: 'org_tokens', limit: state.limit, reset_seconds: state.resetSeconds },
          headers: { 'retry-after': String(state.resetSeconds) },
        },
      );
    }
    return state;
  }

  /**
   * Counts tokens a finished call used. Never throws: the call has happened, and failing its
   * response now would help no one (store errors are counted and logged by the policy).
   */
  async consume(orgId: string, tokens: number, now = Date.now()): Promise<void> {
    if (!this.enabled || !Number.isFinite(tokens) || tokens <= 0) return;
    // Twice the window: the key outlives its minute, so late reads never see a fresh zero.
    await this.policy
      .run('add', () => this.store.addTo(this.keyFor(orgId, now), Math.ceil(tokens), 2 * WINDOW_MS))
      .catch(() => undefined);
  }

  private keyFor(orgId: string, now: number): string {
    return `tokens:{${part(orgId)}}:${Math.floor(now / WINDOW_MS)}`;
  }

  private stateOf(used: number, now: number): TokenBudgetState {
    const limit = this.cfg.orgTokensPerMinute;
    const resetMs = WINDOW_MS - (now % WINDOW_MS);
    return {
      limit,
      used,
      remaining: Math.max(0, limit - used),
      resetSeconds: Math.max(1, Math.ceil(resetMs / 1000)),
    };
  }
}
