import { MemoryRateLimitStore } from './memory-rate-limit.store';

describe('MemoryRateLimitStore', () => {
  let clock = 0;
  let store: MemoryRateLimitStore;
  beforeEach(() => {
    clock = 1_000;
    store = new MemoryRateLimitStore(() => clock);
  });
  afterEach(() => store.onApplicationShutdown());

  it('admits exactly the limit among concurrent hits', async () => {
    const records = await Promise.all(
      Array.from({ length: 25 }, () => store.increment('k', 60_000, 7, 60_000, 'user')),
    );
    expect(records.filter((r) => !r.isBlocked)).toHaveLength(7);
    expect(records.filter((r) => r.isBlocked).every((r) => r.timeToBlockExpire === 60)).toBe(true);
  });

  it('opens a new window after the TTL and reports the seconds left', async () => {
    await store.increment('k', 60_000, 1, 60_000, 'user');
    clock += 59_500;
    const blocked = await store.increment('k', 60_000, 1, 60_000, 'user');
    expect(blocked).toMatchObject({ isBlocked: true, timeToExpire: 1 });
    clock += 500;
    expect(await store.increment('k', 60_000, 1, 60_000, 'user')).toMatchObject({
      isBlocked: false,
      totalHits: 1,
      timeToExpire: 60,
    });
  });

  it('adds amounts and reads them back until they expire', async () => {
    expect(await store.read('t')).toBe(0);
    await store.addTo('t', 100, 1_000);
    expect(await store.addTo('t', 50, 1_000)).toBe(150);
    expect(await store.read('t')).toBe(150);
    clock += 1_000;
    expect(await store.read('t')).toBe(0);
  });
});
