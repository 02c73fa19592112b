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

  it('adds amounts until they expire', async () => {
    await store.addTo('t', 100, 1_000);
    expect(await store.addTo('t', 50, 1_000)).toBe(150);
    clock += 1_000;
    expect(await store.addTo('t', 1, 1_000)).toBe(1);
  });

  it('reserves only below the limit, atomically among concurrent reservations', async () => {
    const replies = await Promise.all(
      Array.from({ length: 20 }, () => store.reserve('b', 30, 100, 60_000)),
    );
    // 0, 30, 60, 90 are below 100: four granted, the counter ends at 120 (one amount over).
    expect(replies.filter((r) => r.granted)).toHaveLength(4);
    expect(Math.max(...replies.map((r) => r.value))).toBe(120);
    expect(replies.filter((r) => !r.granted).every((r) => r.value === 120)).toBe(true);
  });

  it('grants one reservation larger than the whole budget into an empty window only', async () => {
    expect(await store.reserve('big', 500, 100, 60_000)).toMatchObject({
      granted: true,
      value: 500,
    });
    expect((await store.reserve('big', 1, 100, 60_000)).granted).toBe(false);
    expect((await store.reserve('zero', 1, 0, 60_000)).granted).toBe(false);
  });

  it('adjusts a live counter (never below 0) and leaves an expired one alone', async () => {
    await store.reserve('a', 100, 1_000, 1_000);
    expect(await store.adjust('a', -40)).toBe(60);
    expect(await store.adjust('a', -500)).toBe(0);
    expect(await store.adjust('a', 25)).toBe(25);
    clock += 1_000;
    expect(await store.adjust('a', -10)).toBeUndefined();
    expect(await store.adjust('never', 5)).toBeUndefined();
  });
});
