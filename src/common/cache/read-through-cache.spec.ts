import { ReadThroughCache } from './read-through-cache';

describe('ReadThroughCache', () => {
  let now = 0;
  const cache = () =>
    new ReadThroughCache<string>({
      ttlMs: 1000,
      negativeTtlMs: 100,
      maxEntries: 3,
      now: () => now,
    });
  beforeEach(() => {
    now = 0;
  });

  it('loads once, then serves the copy until it expires', async () => {
    const c = cache();
    const load = jest.fn(async () => 'v1');
    expect(await c.get('o', 'a', load)).toBe('v1');
    expect(await c.get('o', 'a', load)).toBe('v1');
    expect(load).toHaveBeenCalledTimes(1);
    now = 1000;
    expect(await c.get('o', 'a', async () => 'v2')).toBe('v2');
  });

  it('remembers a missing record only briefly', async () => {
    const c = cache();
    const load = jest.fn(async () => undefined);
    expect(await c.get('o', 'a', load)).toBeUndefined();
    expect(await c.get('o', 'a', load)).toBeUndefined();
    expect(load).toHaveBeenCalledTimes(1);
    now = 100;
    await c.get('o', 'a', load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('shares one load between concurrent misses', async () => {
    const c = cache();
    let release!: (v: string) => void;
    const load = jest.fn(() => new Promise<string>((r) => (release = r)));
    const both = Promise.all([c.get('o', 'a', load), c.get('o', 'a', load)]);
    release('v');
    expect(await both).toEqual(['v', 'v']);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('drops a record by org and id, by id in any org, or everything', async () => {
    const c = cache();
    await c.get('o1', 'a', async () => 'o1a');
    await c.get('o2', 'a', async () => 'o2a');
    await c.get('o1', 'b', async () => 'o1b');
    c.invalidate('o1', 'b');
    expect(c.peek('o1', 'b')).toBeUndefined();
    expect(c.peek('o1', 'a')).toBe('o1a');
    c.invalidate(null, 'a');
    expect(c.size).toBe(0);
    await c.get('o1', 'a', async () => 'again');
    c.clear();
    expect(c.peek('o1', 'a')).toBeUndefined();
  });

  it('does not keep a value whose load straddled an invalidation', async () => {
    const c = cache();
    let release!: (v: string) => void;
    const inFlight = c.get('o', 'a', () => new Promise<string>((r) => (release = r)));
    c.invalidate('o', 'a');
    // A caller arriving after the change does not join the old load.
    const fresh = c.get('o', 'a', async () => 'new');
    release('old');
    expect(await inFlight).toBe('old');
    expect(await fresh).toBe('new');
    expect(c.peek('o', 'a')).toBe('new');

    const gen = c.snapshot();
    c.invalidate('o', 'z');
    c.put('o', 'b', 'stale', gen);
    expect(c.peek('o', 'b')).toBeUndefined();
    c.put('o', 'b', 'current', c.snapshot());
    expect(c.peek('o', 'b')).toBe('current');
  });

  it('stays bounded, evicting the oldest entry', async () => {
    const c = cache();
    for (const id of ['a', 'b', 'c', 'd']) await c.get('o', id, async () => id);
    expect(c.size).toBe(3);
    expect(c.peek('o', 'a')).toBeUndefined();
    expect(c.peek('o', 'd')).toBe('d');
  });

  describe('with the store down (serveStaleOn)', () => {
    const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const staleCache = () =>
      new ReadThroughCache<string>({
        ttlMs: 1000,
        negativeTtlMs: 100,
        maxEntries: 3,
        now: () => now,
        serveStaleOn: (e) => e === down,
        staleRetryMs: 200,
      });

    it('serves the last known value past its TTL, and retries the store only after a pause', async () => {
      const c = staleCache();
      await c.get('o', 'a', async () => 'v1');
      now = 5000;
      const failing = jest.fn(async (): Promise<string> => Promise.reject(down));
      expect(await c.get('o', 'a', failing)).toBe('v1');
      expect(await c.get('o', 'a', failing)).toBe('v1');
      expect(failing).toHaveBeenCalledTimes(1);
      now = 5200;
      expect(await c.get('o', 'a', async () => 'v2')).toBe('v2');
    });

    it('never serves a record that was invalidated, nor hides other errors', async () => {
      const c = staleCache();
      await c.get('o', 'a', async () => 'v1');
      await c.get('o', 'b', async () => 'v1');
      now = 5000;
      c.invalidate('o', 'a');
      await expect(c.get('o', 'a', () => Promise.reject(down))).rejects.toBe(down);
      const bug = new TypeError('bug');
      await expect(c.get('o', 'b', () => Promise.reject(bug))).rejects.toBe(bug);
      expect(c.staleOnError('o', 'b', down)).toBe('v1');
      expect(c.staleOnError('o', 'b', bug)).toBeUndefined();
      expect(c.staleOnError('o', 'a', down)).toBeUndefined();
    });

    it('fails as before when there is no last known value', async () => {
      await expect(staleCache().get('o', 'a', () => Promise.reject(down))).rejects.toBe(down);
    });
  });
});
