import { backoffDelay } from '../../../common/retry/backoff';
import type { ResilienceOptions } from './resilience.options';

/**
 * How long to wait before retry number `attempt` (0-based), or undefined when the provider asked
 * for a wait longer than we are willing to hold the request. A provider's Retry-After is
 * honoured as given; otherwise exponential backoff with full jitter spreads retries out.
 */
export function retryDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  opts: Pick<ResilienceOptions, 'baseDelayMs' | 'maxDelayMs' | 'maxRetryAfterMs' | 'random'>,
): number | undefined {
  if (retryAfterMs !== undefined)
    return retryAfterMs <= opts.maxRetryAfterMs ? retryAfterMs : undefined;
  return backoffDelay(attempt, {
    baseMs: opts.baseDelayMs,
    maxMs: opts.maxDelayMs,
    random: opts.random,
    jitter: 'full',
  });
}

/** Resolves after `ms`, or rejects with `onAbort()` as soon as `signal` aborts. */
export function sleep(
  ms: number,
  signal: AbortSignal | undefined,
  onAbort: () => Error,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(onAbort());
    const done = () => {
      signal?.removeEventListener('abort', aborted);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const aborted = () => {
      clearTimeout(timer);
      reject(onAbort());
    };
    signal?.addEventListener('abort', aborted, { once: true });
  });
}
