import { ApiKeyCache } from './api-key.cache';
import type { ApiKey } from './api-key.types';

const key = (id: string): ApiKey => ({ id, org_id: 'o' }) as ApiKey;

describe('ApiKeyCache', () => {
  let clock = 0;
  const cache = () =>
    new ApiKeyCache({ ttlMs: 30_000, negativeTtlMs: 5_000, maxEntries: 3, now: () => clock });

  beforeEach(() => (clock = 0));

  it('remembers keys for the TTL and misses for the shorter negative TTL', () => {
    const c = cache();
    c.set('h1', key('k1'), c.snapshot());
    c.set('h2', null, c.snapshot());
    expect(c.get('h1')).toEqual(key('k1'));
    expect(c.get('h2')).toBeNull();
    clock = 5_000;
    expect(c.get('h2')).toBeUndefined();
    expect(c.get('h1')).toBeDefined();
    clock = 30_000;
    expect(c.get('h1')).toBeUndefined();
  });

  it('drops a key by id on invalidation', () => {
    const c = cache();
    c.set('h1', key('k1'), c.snapshot());
    c.invalidate('k1');
    expect(c.get('h1')).toBeUndefined();
  });

  it('does not cache a lookup that started before an invalidation', () => {
    const c = cache();
    const before = c.snapshot();
    c.invalidate('k1'); // e.g. a revoke lands while the store read is in flight
    c.set('h1', key('k1'), before);
    expect(c.get('h1')).toBeUndefined();
  });

  it('stays within its bound, evicting the oldest', () => {
    const c = cache();
    for (const i of [1, 2, 3, 4]) c.set(`h${i}`, key(`k${i}`), c.snapshot());
    expect(c.size).toBe(3);
    expect(c.get('h1')).toBeUndefined();
    expect(c.get('h4')).toBeDefined();
  });
});
