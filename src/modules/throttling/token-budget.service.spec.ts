import type { ConfigType } from '@nestjs/config';
import { AppException, ErrorCode } from '../../common/errors';
import type { limitsConfig } from '../../config';
import { MemoryRateLimitStore } from './stores/memory-rate-limit.store';
import { StoreCallPolicy } from './stores/store-call-policy';
import { TokenBudget } from './token-budget.service';

const cfg = (orgTokensPerMinute: number) =>
  ({ orgTokensPerMinute }) as ConfigType<typeof limitsConfig>;

describe('TokenBudget', () => {
  const store = new MemoryRateLimitStore();
  afterAll(() => store.onApplicationShutdown());
  const minute = 60_000 * 1000;

  it('is off at 0', async () => {
    const budget = new TokenBudget(cfg(0), store, new StoreCallPolicy(true));
    await budget.consume('o', 1_000_000, minute);
    await expect(budget.check('o', minute)).resolves.toBeUndefined();
  });

  it('counts real usage and refuses once the minute is spent, until the next minute', async () => {
    const budget = new TokenBudget(cfg(1000), store, new StoreCallPolicy(true));
    expect(await budget.check('org-a', minute)).toMatchObject({ used: 0, remaining: 1000 });
    await budget.consume('org-a', 600, minute + 1_000);
    expect(await budget.check('org-a', minute + 2_000)).toMatchObject({
      remaining: 400,
      resetSeconds: 58,
    });
    await budget.consume('org-a', 700, minute + 3_000); // overshoot: tokens are known afterwards
    const err = await budget.check('org-a', minute + 4_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppException);
    expect((err as AppException).code).toBe(ErrorCode.RATE_LIMITED);
    expect((err as AppException).headers).toEqual({ 'retry-after': '56' });
    expect(await budget.check('org-b', minute + 4_000)).toMatchObject({ remaining: 1000 });
    expect(await budget.check('org-a', minute + 60_000)).toMatchObject({ remaining: 1000 });
  });
});
