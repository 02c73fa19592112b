/**
 * Polls `check` until it returns something other than undefined/false, yielding to the event
 * loop between tries (no fixed sleeps): the test moves on the moment the condition holds, and
 * fails with `what` (and the last value seen) after `timeoutMs`.
 */
export async function until<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
      last = v;
    } catch (e) {
      last = e instanceof Error ? e.message : e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`,
      );
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * One sample of a Prometheus metric from a gateway's /metrics (0 when absent). `labels` is the
 * full label set in the metric's label order, e.g. `code="INTERNAL",service="none",route="/x"`.
 */
export async function metricValue(baseUrl: string, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const prefix = `${name}{${labels}} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line ? Number(line.slice(prefix.length)) : 0;
}
