import type { ConfigType } from '@nestjs/config';
import type { Principal } from '../../common/auth/principal';
import { AppException, ErrorCode } from '../../common/errors';
import type { limitsConfig } from '../../config';
import { BudgetReservations } from './budgets/budget-reservations';
import { MemoryRateLimitStore } from './stores/memory-rate-limit.store';
import { StoreCallPolicy } from './stores/store-call-policy';
import { TokenBudget } from './token-budget.service';

const cfg = (orgTokensPerMinute: number) =>
  ({ orgTokensPerMinute }) as ConfigType<typeof limitsConfig>;
const caller = (orgId = 'org-a'): Principal => ({ userId: 'u', orgId, scopes: [], via: 'jwt' });

describe('TokenBudget', () => {
  let store: MemoryRateLimitStore;
  let reservations: BudgetReservations;
  beforeEach(() => {
    store = new MemoryRateLimitStore();
    reservations = new BudgetReservations(store, new StoreCallPolicy(true));
  });
  afterEach(() => store.onApplicationShutdown());
  const minute = 60_000 * 1000;

  it('is off at 0', async () => {
    const budget = new TokenBudget(cfg(0), reservations);
    await budget.consume('org-a', 1_000_000, minute);
    await expect(budget.reserve(caller(), 10, minute)).resolves.toBeUndefined();
  });

  it('reserves estimates until the minute is spent, then refuses until the next minute', async () => {
    const budget = new TokenBudget(cfg(1000), reservations);
    expect(await budget.reserve(caller(), 600, minute)).toMatchObject({
      used: 600,
      remaining: 400,
      resetSeconds: 60,
    });
    // Still below the limit: granted, and the one request that crosses it is the overshoot.
    expect(await budget.reserve(caller(), 700, minute + 2_000)).toMatchObject({ remaining: 0 });
    const err = await budget.reserve(caller(), 1, minute + 4_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppException);
    expect((err as AppException).code).toBe(ErrorCode.RATE_LIMITED);
    expect((err as AppException).headers).toEqual({ 'retry-after': '56' });
    expect(await budget.reserve(caller('org-b'), 1, minute + 4_000)).toMatchObject({
      remaining: 999,
    });
    expect(await budget.reserve(caller(), 1, minute + 60_000)).toMatchObject({ remaining: 999 });
  });

  it('settles a request with the usage its rounds recorded, and refunds a failed one', async () => {
    const budget = new TokenBudget(cfg(1000), reservations);
    const now = Date.now();
    const a = caller();
    await budget.reserve(a, 500, now);
    budget.record(a, 120);
    budget.record(a, 30);
    await budget.settle(a);
    const b = caller();
    expect(await budget.reserve(b, 100, now)).toMatchObject({ used: 250 });
    await budget.settle(b); // nothing recorded: the whole estimate comes back
    await budget.settle(b); // idempotent
    expect(await budget.reserve(caller(), 1, now)).toMatchObject({ used: 151 });
  });

  it('counts usage with no live reservation as spent', async () => {
    const budget = new TokenBudget(cfg(1000), reservations);
    const now = Date.now();
    const late = caller();
    await budget.reserve(late, 10, now);
    await budget.settle(late);
    budget.record(late, 400); // a round that ended after its response
    budget.record(caller(), 100); // e.g. a queued job: a principal that never reserved
    await new Promise((resolve) => setImmediate(resolve));
    expect(await budget.reserve(caller(), 1, now)).toMatchObject({ used: 501 });
  });
});
