import { backoffDelay } from '../../../common/retry/backoff';

/** Each retry waits this many times longer than the one before. */
export const BACKOFF_FACTOR = 4;
/** No single retry waits longer than this. */
export const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;

/**
 * The longest wait before retry number `attempt` (1 = the retry after the first failed run):
 * `base * 4^(attempt-1)`, capped at an hour.
 */
export function retryCeilingMs(baseMs: number, attempt: number): number {
  return backoffDelay(retryIndex(attempt), { ...curve(baseMs), jitter: 'none' });
}

/**
 * The actual wait: "equal jitter", uniformly between half the ceiling and the ceiling, so a burst
 * of failures does not come back as a burst while the delay still grows exponentially. Retries
 * of the same attempt number share one delay queue; because their delays differ by at most half
 * a ceiling, head-of-line blocking in that queue stays within the same bound.
 */
export function retryDelayMs(baseMs: number, attempt: number, random = Math.random): number {
  return Math.max(
    1,
    backoffDelay(retryIndex(attempt), { ...curve(baseMs), random, jitter: 'equal' }),
  );
}

/** Attempt 1 is the first retry: wait number 0. */
function retryIndex(attempt: number): number {
  return Math.max(1, Math.floor(attempt)) - 1;
}

function curve(baseMs: number) {
  return { baseMs, maxMs: MAX_RETRY_DELAY_MS, factor: BACKOFF_FACTOR };
}
