import { AppException, ErrorCode } from '../../../common/errors';
import { metricsRegistry } from '../../../common/metrics/prom';
import { StoreCallPolicy } from './store-call-policy';

async function errorCount(policy: string): Promise<number> {
  const metric = await metricsRegistry
    .getSingleMetric('gateway_rate_limit_store_errors_total')
    ?.get();
  return (metric?.values ?? [])
    .filter((v) => v.labels.policy === policy)
    .reduce((sum, v) => sum + v.value, 0);
}

describe('StoreCallPolicy', () => {
  it('passes results through', async () => {
    await expect(new StoreCallPolicy(true).run('op', async () => 42)).resolves.toBe(42);
  });

  it('fails open: undefined, counted', async () => {
    const before = await errorCount('open');
    const result = await new StoreCallPolicy(true).run('op', () =>
      Promise.reject(new Error('ECONNREFUSED')),
    );
    expect(result).toBeUndefined();
    expect(await errorCount('open')).toBe(before + 1);
  });

  it('fails closed: 503 with Retry-After', async () => {
    const err = await new StoreCallPolicy(false)
      .run('op', () => Promise.reject(new Error('down')))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppException);
    expect((err as AppException).code).toBe(ErrorCode.SERVICE_UNAVAILABLE);
    expect((err as AppException).headers).toEqual({ 'retry-after': '1' });
  });

  it('gives up on a call that never answers, at the deadline', async () => {
    const started = Date.now();
    const never = new Promise<number>(() => undefined);
    await expect(new StoreCallPolicy(true, 50).run('op', () => never)).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
