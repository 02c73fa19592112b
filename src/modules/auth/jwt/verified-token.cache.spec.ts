import type { Principal } from '../../../common/auth/principal';
import { VerifiedTokenCache } from './verified-token.cache';

const principal: Principal = { userId: 'u1', orgId: 'o1', scopes: ['admin'], via: 'jwt' };

describe('VerifiedTokenCache', () => {
  let now: number;
  const clock = () => now;

  beforeEach(() => {
    now = 1_000_000_000_000;
  });

  it('returns the principal of a verified token, as a copy the caller may change', () => {
    const cache = new VerifiedTokenCache(10, 60_000, clock);
    cache.set('t1', principal, now / 1000 + 300);
    const hit = cache.get('t1');
    expect(hit).toEqual(principal);
    hit!.scopes.push('mutated');
    expect(cache.get('t1')!.scopes).toEqual(['admin']);
    expect(cache.get('t2')).toBeUndefined();
  });

  it('refuses a token once it expires (exp plus tolerance), however recently it was verified', () => {
    const cache = new VerifiedTokenCache(10, 60_000, clock);
    cache.set('t1', principal, now / 1000 + 5);
    now += 4_000;
    expect(cache.get('t1')).toBeDefined();
    now += 1_000;
    expect(cache.get('t1')).toBeUndefined();
  });

  it('verifies again after maxAge, even for a long-lived token', () => {
    const cache = new VerifiedTokenCache(10, 60_000, clock);
    cache.set('t1', principal, now / 1000 + 3600);
    now += 59_999;
    expect(cache.get('t1')).toBeDefined();
    now += 1;
    expect(cache.get('t1')).toBeUndefined();
  });

  it('forgets the oldest token when full', () => {
    const cache = new VerifiedTokenCache(2, 60_000, clock);
    const exp = now / 1000 + 300;
    cache.set('a', principal, exp);
    cache.set('b', principal, exp);
    cache.set('c', principal, exp);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
  });
});
