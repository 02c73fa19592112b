import { AppException, ErrorCode } from '../../../common/errors';
import { metricsRegistry } from '../../../common/metrics/prom';
import { StoreCallPolicy } from './store-call-policy';
import { StoreUnreachableError } from './store-errors';

async function errorCount(policy: string): Promise<number> {
  const metric = await metricsRegistry
    .getSingleMetric('gateway_rate_limit_store_errors_total')
    ?.get();
  return (metric?.values ?? [])
    .filter((v) => v.labels.policy === policy)
    .reduce((sum, v) => sum + v.value, 0);
}

const expectUnavailable = (err: unknown): void => {
  expect(err).toBeInstanceOf(AppException);
  expect((err as AppException).code).toBe(ErrorCode.SERVICE_UNAVAILABLE);
  expect((err as AppException).headers).toEqual({ 'retry-after': '1' });
};
const unavailable = async (p: Promise<unknown>): Promise<void> => {
  expectUnavailable(await p.catch((e: unknown) => e));
};

describe('StoreCallPolicy', () => {
  it('passes results through', async () => {
    await expect(new StoreCallPolicy(true).run('op', async () => 42)).resolves.toBe(42);
  });

  it('fails open only when the store is unreachable (nothing was sent): undefined, counted', async () => {
    const before = await errorCount('open');
    const result = await new StoreCallPolicy(true).run('op', () =>
      Promise.reject(new StoreUnreachableError('redis is reconnecting')),
    );
    expect(result).toBeUndefined();
    expect(await errorCount('open')).toBe(before + 1);
  });

  it('refuses with 503 when a sent command failed, even under fail open', async () => {
    const before = await errorCount('closed');
    await unavailable(
      new StoreCallPolicy(true).run('op', () => Promise.reject(new Error('Connection is closed.'))),
    );
    expect(await errorCount('closed')).toBe(before + 1);
  });

  it('fails closed on an unreachable store when configured so', async () => {
    await unavailable(
      new StoreCallPolicy(false).run('op', () => Promise.reject(new StoreUnreachableError('down'))),
    );
  });

  it('refuses (never admits) a call that stays unanswered past its own deadline', async () => {
    // Fake timers: the deadline is lag-tolerant (a busy loop earns the store more time), so a
    // wall-clock bound would measure the machine's load, not the policy.
    jest.useFakeTimers();
    try {
      const never = new Promise<number>(() => undefined);
      let outcome: unknown = 'pending';
      void new StoreCallPolicy(true, 50)
        .run('op', () => never)
        .then(
          (v) => (outcome = v),
          (e: unknown) => (outcome = e),
        );
      await jest.advanceTimersByTimeAsync(45);
      expect(outcome).toBe('pending');
      // Past 50 ms (not the 2 s default) the call is refused, never admitted as undefined.
      await jest.advanceTimersByTimeAsync(10);
      expectUnavailable(outcome);
    } finally {
      jest.useRealTimers();
    }
  });

  it('swallows failures of bookkeeping calls', async () => {
    await expect(
      new StoreCallPolicy(false).quietly('settle', () => Promise.reject(new Error('x'))),
    ).resolves.toBeUndefined();
  });
});
