/** Waits until every promise has settled or `ms` have passed, whichever comes first. */
export async function settleWithin(running: Array<Promise<unknown>>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((r) => (timer = setTimeout(r, ms)));
  await Promise.race([Promise.allSettled(running), bound]);
  clearTimeout(timer);
}
