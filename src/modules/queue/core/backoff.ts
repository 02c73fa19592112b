/** Each retry waits this many times longer than the one before. */
export const BACKOFF_FACTOR = 4;
/** No single retry waits longer than this. */
export const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;

/**
 * The longest wait before retry number `attempt` (1 = the retry after the first failed run):
 * `base * 4^(attempt-1)`, capped at an hour.
 */
export function retryCeilingMs(baseMs: number, attempt: number): number {
  const n = Math.max(1, Math.floor(attempt));
  return Math.min(baseMs * BACKOFF_FACTOR ** (n - 1), MAX_RETRY_DELAY_MS);
}

/**
 * The actual wait: "equal jitter", uniformly between half the ceiling and the ceiling, so a burst
 * of failures does not come back as a burst while the delay still grows exponentially. Retries
 * of the same attempt number share one delay queue; because their delays differ by at most half
 * a ceiling, head-of-line blocking in that queue stays within the same bound.
 */
export function retryDelayMs(baseMs: number, attempt: number, random = Math.random): number {
  const ceiling = retryCeilingMs(baseMs, attempt);
  return Math.max(1, Math.round(ceiling / 2 + (random() * ceiling) / 2));
}
