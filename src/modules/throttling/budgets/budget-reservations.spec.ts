import { MemoryRateLimitStore } from '../stores/memory-rate-limit.store';
import { RateLimitStore } from '../stores/rate-limit.store';
import { StoreCallPolicy } from '../stores/store-call-policy';
import { StoreUnreachableError } from '../stores/store-errors';
import { BudgetReservations, type Reservation } from './budget-reservations';

const WINDOW = 60_000;
const T0 = 1_000 * WINDOW + 5_000;

describe('BudgetReservations', () => {
  let store: MemoryRateLimitStore;
  let budgets: BudgetReservations;
  beforeEach(() => {
    store = new MemoryRateLimitStore(() => T0);
    budgets = new BudgetReservations(store, new StoreCallPolicy(true));
  });
  afterEach(() => store.onApplicationShutdown());

  const grant = async (amount: number, limit = 1_000): Promise<Reservation> => {
    const outcome = await budgets.reserve('b', amount, limit, WINDOW, T0);
    if (!outcome?.granted) throw new Error('not granted');
    return outcome.reservation;
  };

  it('overshoots by at most one reservation under a concurrent burst', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 500 }, () => budgets.reserve('b', 37, 1_000, WINDOW, T0)),
    );
    const granted = outcomes.filter((o) => o?.granted);
    expect(granted).toHaveLength(Math.ceil(1_000 / 37));
    const used = Math.max(...granted.map((o) => (o!.granted ? o!.reservation.used : 0)));
    expect(used - 1_000).toBeLessThan(37);
    expect(outcomes.find((o) => o && !o.granted)).toMatchObject({ limit: 1_000, resetSeconds: 55 });
  });

  it('settles to the real amount, releases to zero, and does either only once', async () => {
    const r = await grant(400);
    await budgets.settle(r, 150);
    await budgets.settle(r, 900);
    expect((await grant(1)).used).toBe(151);
    const s = await grant(200);
    await budgets.release(s);
    expect((await grant(1)).used).toBe(152);
  });

  it('charges usage beyond the estimate at settlement', async () => {
    const r = await grant(100);
    await budgets.settle(r, 350);
    expect((await grant(1)).used).toBe(351);
  });

  it('spends unreserved amounts', async () => {
    await budgets.spend('b', 42, WINDOW, T0);
    expect((await grant(1)).used).toBe(43);
  });

  it('proceeds unbudgeted when the store is unreachable and the policy fails open', async () => {
    class Down extends MemoryRateLimitStore {
      override reserve(): never {
        throw new StoreUnreachableError('down');
      }
    }
    const down: RateLimitStore = new Down();
    const open = new BudgetReservations(down, new StoreCallPolicy(true));
    expect(await open.reserve('b', 1, 10, WINDOW, T0)).toBeUndefined();
    const closed = new BudgetReservations(down, new StoreCallPolicy(false));
    await expect(closed.reserve('b', 1, 10, WINDOW, T0)).rejects.toMatchObject({ status: 503 });
  });
});
