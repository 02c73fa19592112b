/**
 * Polls `check` (yielding to the event loop with setImmediate between tries) until it returns
 * a value other than undefined/false, or fails after `timeoutMs` with `what` in the message.
 * Used instead of sleeps: the test moves on the moment the condition holds, so the bound only
 * decides how long a broken run takes to fail. It is generous (30 s) because a loaded CI
 * machine (2 cores, a broker, two databases and the gateway) has stretched a healthy reconnect
 * past 15 s.
 */
export async function eventually<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: Error | undefined;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e instanceof Error ? e : new Error(String(e));
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    }
    await new Promise((r) => setImmediate(r));
  }
}

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
