import { Logger } from '@nestjs/common';
import { AppException, ErrorCode } from '../../../common/errors';
import { storeErrors } from '../throttling.metrics';

/** A store call slower than this counts as failed: a rate limit must never hang a request. */
export const STORE_TIMEOUT_MS = 500;
const LOG_EVERY_MS = 10_000;

/**
 * Runs rate-limit store calls with a deadline and applies RATE_LIMIT_FAIL_OPEN when one fails:
 * fail open returns undefined (the caller admits the request) after counting the error in
 * `gateway_rate_limit_store_errors_total` and logging a warning (at most one line per 10 s, with
 * the number of failures since); fail closed answers 503.
 */
export class StoreCallPolicy {
  private readonly logger = new Logger('RateLimitStore');
  private lastLogAt = Number.NEGATIVE_INFINITY;
  private unlogged = 0;

  constructor(
    readonly failOpen: boolean,
    private readonly timeoutMs = STORE_TIMEOUT_MS,
  ) {}

  async run<T>(operation: string, call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await withDeadline(call(), this.timeoutMs);
    } catch (e) {
      this.recordFailure(operation, e);
      if (this.failOpen) return undefined;
      throw new AppException(
        ErrorCode.SERVICE_UNAVAILABLE,
        'Rate limiting is temporarily unavailable; try again shortly',
        { headers: { 'retry-after': '1' } },
      );
    }
  }

  private recordFailure(operation: string, e: unknown): void {
    storeErrors().inc({ operation, policy: this.failOpen ? 'open' : 'closed' });
    this.unlogged++;
    const now = Date.now();
    if (now - this.lastLogAt < LOG_EVERY_MS) return;
    this.logger.warn(
      `Rate-limit store ${operation} failed (${this.unlogged} failure(s) since the last warning); ` +
        `${this.failOpen ? 'admitting requests (RATE_LIMIT_FAIL_OPEN=true)' : 'answering 503'}: ` +
        (e instanceof Error ? e.message : String(e)),
    );
    this.lastLogAt = now;
    this.unlogged = 0;
  }
}

export class StoreTimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'StoreTimeoutError';
  }
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreTimeoutError(ms)), ms);
  });
  // The late answer (or error) of a timed-out call is dropped, not left unhandled.
  work.catch(() => undefined);
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
