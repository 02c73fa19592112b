import { setTimeout as delay } from 'node:timers/promises';

export interface WaitOptions {
  timeoutMs?: number;
  /** Between checks; the condition is what the test waits on, never the interval. */
  everyMs?: number;
  /** Stop at once (with the last error) when this turns true, e.g. the process died. */
  fatal?: () => boolean;
}

/**
 * Polls `check` until it returns something other than undefined/false, or fails after the
 * deadline naming `what` (and the last error seen). The fault suite's gateways are other
 * processes on the same two cores, so it polls at a modest pace instead of spinning.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  opts: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
      if (opts.fatal?.()) throw e;
    }
    if (Date.now() > deadline) {
      const why =
        last instanceof Error ? `: ${last.message}` : last ? `: ${JSON.stringify(last)}` : '';
      throw new Error(`timed out waiting for ${what}${why}`);
    }
    await delay(opts.everyMs ?? 50);
  }
}
