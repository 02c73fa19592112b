import { planBuckets, planLevels, type RateLimitFacts } from './rate-limit-plan';

const defaults = { userPerMinute: 60, threadPerMinute: 20 };
const base: RateLimitFacts = { orgId: 'org', userId: 'u1' };

describe('planBuckets', () => {
  it('limits the user, then the thread when one is named', () => {
    expect(planBuckets(base, defaults, undefined)).toEqual([
      { level: 'user', key: 'rl:{org}:user:u1', limit: 60 },
    ]);
    expect(planBuckets({ ...base, threadId: 't1' }, defaults, undefined)).toEqual([
      { level: 'user', key: 'rl:{org}:user:u1', limit: 60 },
      { level: 'thread', key: 'rl:{org}:thread:t1', limit: 20 },
    ]);
  });

  it('gives an API key with its own limit its own bucket; without one it counts as its user', () => {
    expect(
      planBuckets({ ...base, apiKey: { id: 'key_1', perMinute: 5 } }, defaults, undefined)[0],
    ).toEqual({ level: 'user', key: 'rl:{org}:key:key_1', limit: 5 });
    expect(planBuckets({ ...base, apiKey: { id: 'key_1' } }, defaults, undefined)[0]).toEqual({
      level: 'user',
      key: 'rl:{org}:user:u1',
      limit: 60,
    });
  });

  it('applies agent overrides in a per-agent bucket, the stricter of key and agent winning', () => {
    const agent = { per_minute: 100, per_thread_per_minute: 2 };
    expect(planBuckets({ ...base, agentId: 'a1', threadId: 't' }, defaults, agent)).toEqual([
      { level: 'user', key: 'rl:{org}:user:u1:agent:a1', limit: 100 },
      { level: 'thread', key: 'rl:{org}:thread:t', limit: 2 },
    ]);
    const restricted = { ...base, agentId: 'a1', apiKey: { id: 'k', perMinute: 10 } };
    expect(planBuckets(restricted, defaults, agent)[0]).toEqual({
      level: 'user',
      key: 'rl:{org}:key:k:agent:a1',
      limit: 10,
    });
    expect(planBuckets(restricted, defaults, { per_minute: 3 })[0].limit).toBe(3);
  });

  it('turns a level off with a limit of 0', () => {
    expect(
      planBuckets({ ...base, threadId: 't' }, { userPerMinute: 0, threadPerMinute: 0 }, undefined),
    ).toEqual([]);
  });

  it('keeps ids from breaking the key structure or growing it unbounded', () => {
    const [bucket] = planBuckets({ orgId: 'a}b:c', userId: 'x'.repeat(500) }, defaults, undefined);
    expect(bucket.key).toMatch(/^rl:\{a%7Db%3Ac\}:user:h\.[0-9a-f]{64}$/);
  });

  it('keeps levels that are off in the full plan (a route may set its own limit for them)', () => {
    expect(
      planLevels({ ...base, threadId: 't' }, { userPerMinute: 0, threadPerMinute: 0 }, undefined),
    ).toEqual([
      { level: 'user', key: 'rl:{org}:user:u1', limit: 0 },
      { level: 'thread', key: 'rl:{org}:thread:t', limit: 0 },
    ]);
  });
});
