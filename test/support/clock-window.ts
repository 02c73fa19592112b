/**
 * Token budgets count per clock minute. A test that must stay inside one window waits, when
 * fewer than `minMsLeft` are left of the current one, until the next begins — a wait on the
 * clock itself, so the assertions never straddle a reset.
 */
export async function withinOneWindow(minMsLeft = 15_000, windowMs = 60_000): Promise<void> {
  const left = windowMs - (Date.now() % windowMs);
  if (left >= minMsLeft) return;
  await new Promise((resolve) => setTimeout(resolve, left + 50));
}
