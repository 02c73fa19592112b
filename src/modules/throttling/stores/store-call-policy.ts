import { Logger } from '@nestjs/common';
import { AppException, ErrorCode } from '../../../common/errors';
import { storeErrors } from '../throttling.metrics';
import { withDeadline } from './deadline';
import { StoreUnreachableError } from './store-errors';

/**
 * How long a sent command may go unanswered before the request is refused with 503. Generous on
 * purpose: a timeout can no longer admit anyone (see below), so waiting for the authoritative
 * answer is better than guessing; the deadline is lag-tolerant (deadline.ts).
 */
export const STORE_TIMEOUT_MS = 2_000;
const LOG_EVERY_MS = 10_000;

/**
 * Runs rate-limit store calls and decides what a failure means. A limit must stay exact: a
 * request the store may have counted must never be admitted past it. So:
 * - the store is unreachable (connection down: StoreUnreachableError, nothing was sent) —
 *   RATE_LIMIT_FAIL_OPEN applies: fail open returns undefined (the caller admits the request),
 *   fail closed answers 503;
 * - anything after the command was sent (no answer by the deadline, the connection lost
 *   mid-command, an error reply) — the outcome is unknown, so 503 with Retry-After whatever the
 *   policy: admitting would overshoot the limit by every request the store did count.
 * Failures are counted in `gateway_rate_limit_store_errors_total` and logged at most once per 10 s.
 */
export class StoreCallPolicy {
  private readonly logger = new Logger('RateLimitStore');
  private lastLogAt = Number.NEGATIVE_INFINITY;
  private unlogged = 0;

  /**
   * `timeoutMs` undefined: no deadline, for a store that answers in-process (memory) and so
   * can never hang; a timer per call would only cost.
   */
  constructor(
    readonly failOpen: boolean,
    private readonly timeoutMs: number | undefined = STORE_TIMEOUT_MS,
  ) {}

  async run<T>(operation: string, call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await (this.timeoutMs === undefined ? call() : withDeadline(call(), this.timeoutMs));
    } catch (e) {
      const unreachable = e instanceof StoreUnreachableError;
      const admit = unreachable && this.failOpen;
      this.recordFailure(operation, e, admit);
      if (admit) return undefined;
      throw new AppException(
        ErrorCode.SERVICE_UNAVAILABLE,
        'Rate limiting is temporarily unavailable; try again shortly',
        { headers: { 'retry-after': '1' } },
      );
    }
  }

  /** Like `run` for bookkeeping that must never fail its caller (settling, late usage). */
  async quietly(operation: string, call: () => Promise<unknown>): Promise<void> {
    await this.run(operation, call).catch(() => undefined);
  }

  private recordFailure(operation: string, e: unknown, admitted: boolean): void {
    storeErrors().inc({ operation, policy: admitted ? 'open' : 'closed' });
    this.unlogged++;
    const now = Date.now();
    if (now - this.lastLogAt < LOG_EVERY_MS) return;
    const outcome = admitted
      ? 'admitting requests (store unreachable, RATE_LIMIT_FAIL_OPEN=true)'
      : e instanceof StoreUnreachableError
        ? 'answering 503 (store unreachable, RATE_LIMIT_FAIL_OPEN=false)'
        : 'answering 503 (the command was sent; it may have been counted)';
    this.logger.warn(
      `Rate-limit store ${operation} failed (${this.unlogged} failure(s) since the last warning); ` +
        `${outcome}: ${e instanceof Error ? e.message : String(e)}`,
    );
    this.lastLogAt = now;
    this.unlogged = 0;
  }
}

export { StoreTimeoutError, StoreUnreachableError } from './store-errors';
