import { maskKey } from './provider-key.types';
import { TtlCache } from './ttl-cache';

describe('maskKey', () => {
  it('shows the prefix and the last four characters only', () => {
    expect(maskKey('sk-proj-0123456789abcd')).toBe('sk-...abcd');
  });

  it('reveals nothing of a short key', () => {
    expect(maskKey('short-key')).toBe('****');
  });
});

describe('TtlCache', () => {
  it('expires entries after the TTL and evicts the oldest past its bound', () => {
    let now = 0;
    const cache = new TtlCache<string>(1000, 2, () => now);
    cache.set('a', '1');
    cache.set('b', '2');
    expect(cache.get('a')).toBe('1');
    cache.set('c', '3');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe('2');
    now = 1000;
    expect(cache.get('c')).toBeUndefined();
  });
});
