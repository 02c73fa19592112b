import { isKeySpecific, KeyBalancer } from './key-balancer';

const pool = (...weights: number[]) => weights.map((weight, i) => ({ keyId: `k${i}`, weight }));

function counts(b: KeyBalancer, members: ReturnType<typeof pool>, n: number) {
  const seen: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const k = b.pick(members).keyId;
    seen[k] = (seen[k] ?? 0) + 1;
  }
  return seen;
}

describe('KeyBalancer', () => {
  let now = 1_000_000;
  const balancer = () =>
    new KeyBalancer({ keyCooldownMs: 100, keyCooldownMaxMs: 1_000, now: () => now });

  it('spreads calls exactly by weight, interleaved (smooth weighted round-robin)', () => {
    expect(counts(balancer(), pool(1, 3), 1000)).toEqual({ k0: 250, k1: 750 });
    expect(counts(balancer(), pool(1, 1, 2), 1000)).toEqual({ k0: 250, k1: 250, k2: 500 });
    const b = balancer();
    const members = pool(1, 3);
    // Never four in a row on the heavy key: the light key gets its turn within each cycle.
    expect(Array.from({ length: 8 }, () => b.pick(members).keyId)).toEqual([
      'k1',
      'k0',
      'k1',
      'k1',
      'k1',
      'k0',
      'k1',
      'k1',
    ]);
  });

  it('takes a failed key out until its cooldown ends, then gives it its share back', () => {
    const b = balancer();
    const members = pool(1, 1);
    expect(b.onFailure('k0')).toBe(100);
    expect(counts(b, members, 10)).toEqual({ k1: 10 });
    now += 100;
    expect(counts(b, members, 10)).toEqual({ k0: 5, k1: 5 });
  });

  it('doubles the cooldown per consecutive failure up to the cap, resets on success', () => {
    const b = balancer();
    expect([1, 2, 3, 4, 5].map(() => b.onFailure('k0'))).toEqual([100, 200, 400, 800, 1000]);
    b.onSuccess('k0');
    expect(b.onFailure('k0')).toBe(100);
  });

  it("honours the provider's Retry-After beyond the exponential cap, up to an hour", () => {
    const b = balancer();
    expect(b.onFailure('k0', 50)).toBe(100);
    expect(b.onFailure('k1', 60_000)).toBe(60_000);
    expect(b.onFailure('k2', 86_400_000)).toBe(3_600_000);
  });

  it('skips keys this call already tried, and still answers when every key is cooling', () => {
    const b = balancer();
    const members = pool(1, 1, 1);
    expect(b.pick(members, new Set(['k0', 'k1'])).keyId).toBe('k2');
    b.onFailure('k0');
    now += 10;
    b.onFailure('k1');
    b.onFailure('k2');
    // All cooling: the one back soonest.
    expect(b.pick(members).keyId).toBe('k0');
  });

  it('classifies key-specific failures', () => {
    expect(
      ['auth', 'rate_limited', 'server', 'connection'].every((k) => isKeySpecific(k as never)),
    ).toBe(true);
    expect(
      ['client', 'timeout', 'aborted', 'malformed'].some((k) => isKeySpecific(k as never)),
    ).toBe(false);
  });
});
