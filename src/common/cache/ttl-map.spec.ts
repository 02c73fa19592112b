import { TtlMap } from './ttl-map';

describe('TtlMap', () => {
  let now = 1_000;
  const clock = () => now;

  it('serves a value until its TTL ends, then keeps it only as a last known value', () => {
    const m = new TtlMap<string, number>({ maxEntries: 10, now: clock });
    m.set('a', 1, 100);
    now += 99;
    expect(m.peek('a')).toBe(1);
    now += 1;
    expect(m.peek('a')).toBeUndefined();
    expect(m.getExpired('a')).toBe(1);
    m.extend('a', 50);
    expect(m.peek('a')).toBe(1);
    now += 50;
    expect(m.get('a')).toBeUndefined();
    // get forgets what has expired.
    expect(m.holds('a')).toBe(false);
  });

  it('tells a held undefined value from a miss, and holds nothing for a TTL of zero', () => {
    const m = new TtlMap<string, number | undefined>({ maxEntries: 10, now: clock });
    m.set('none', undefined, 100);
    expect(m.has('none')).toBe(true);
    m.set('none', 1, 0);
    expect(m.holds('none')).toBe(false);
  });

  it('forgets the oldest entry when full and reports every entry that leaves', () => {
    const gone: string[] = [];
    const m = new TtlMap<string, number>({
      maxEntries: 2,
      now: clock,
      onDelete: (k) => gone.push(k),
    });
    m.set('a', 1, 100);
    m.set('b', 2, 100);
    m.set('a', 3, 100); // replaced: now the newest
    m.set('c', 4, 100);
    expect(gone).toEqual(['a', 'b']);
    expect([m.get('a'), m.get('b'), m.get('c')]).toEqual([3, undefined, 4]);
    m.deleteWhere((_k, v) => v === 4);
    m.clear();
    expect(gone).toEqual(['a', 'b', 'c', 'a']);
    expect(m.size).toBe(0);
  });
});
