import { retryDelay, sleep } from './backoff';

const opts = { baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };

describe('retryDelay', () => {
  it('grows exponentially with full jitter, capped', () => {
    expect(retryDelay(0, undefined, { ...opts, random: () => 0.999 })).toBe(99);
    expect(retryDelay(2, undefined, { ...opts, random: () => 0.5 })).toBe(200);
    expect(retryDelay(10, undefined, { ...opts, random: () => 0.999 })).toBe(999);
    expect(retryDelay(3, undefined, { ...opts, random: () => 0 })).toBe(0);
  });

  it("honours the provider's Retry-After up to the cap, and gives up beyond it", () => {
    expect(retryDelay(0, 3000, { ...opts, random: () => 0 })).toBe(3000);
    expect(retryDelay(0, 5001, { ...opts, random: () => 0 })).toBeUndefined();
  });
});

describe('sleep', () => {
  it('resolves after the delay', async () => {
    await expect(sleep(1, undefined, () => new Error('aborted'))).resolves.toBeUndefined();
  });

  it('rejects as soon as the signal aborts', async () => {
    const c = new AbortController();
    const p = sleep(60_000, c.signal, () => new Error('aborted'));
    c.abort();
    await expect(p).rejects.toThrow('aborted');
  });

  it('rejects at once on an already-aborted signal', async () => {
    await expect(sleep(60_000, AbortSignal.abort(), () => new Error('gone'))).rejects.toThrow(
      'gone',
    );
  });
});
