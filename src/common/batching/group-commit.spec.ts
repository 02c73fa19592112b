import { GroupCommit } from './group-commit';

/** A write that records its batches and finishes when the test says so. */
function controlledWrite() {
  const batches: number[][] = [];
  const pending: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const write = (items: number[]) =>
    new Promise<void>((resolve, reject) => {
      batches.push(items);
      pending.push({ resolve, reject });
    });
  /** Resolves once `n` writes have started. */
  const started = async (n: number) => {
    while (batches.length < n) await new Promise((r) => setImmediate(r));
  };
  return { batches, pending, write, started };
}

describe('GroupCommit', () => {
  it('writes items added in the same tick together, and resolves each caller', async () => {
    const w = controlledWrite();
    const g = new GroupCommit(w.write, 100);
    const all = Promise.all([g.add(1), g.add(2), g.add(3)]);
    await w.started(1);
    w.pending[0].resolve();
    await all;
    expect(w.batches).toEqual([[1, 2, 3]]);
  });

  it('gathers items added while a write runs into the next write', async () => {
    const w = controlledWrite();
    const g = new GroupCommit(w.write, 100);
    const first = g.add(1);
    await w.started(1);
    const later = Promise.all([g.add(2), g.add(3), g.add(4)]);
    w.pending[0].resolve();
    await first;
    await w.started(2);
    w.pending[1].resolve();
    await later;
    expect(w.batches).toEqual([[1], [2, 3, 4]]);
  });

  it('never writes more than maxBatch items at once', async () => {
    const batches: number[][] = [];
    const g = new GroupCommit(async (items: number[]) => void batches.push(items), 2);
    await Promise.all([1, 2, 3, 4, 5].map((i) => g.add(i)));
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('retries a failed batch item by item, so only the bad item fails', async () => {
    const batches: number[][] = [];
    const g = new GroupCommit(async (items: number[]) => {
      batches.push(items);
      if (items.includes(2)) throw new Error('bad item 2');
    }, 10);
    const results = await Promise.allSettled([g.add(1), g.add(2), g.add(3)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ message: 'bad item 2' });
    expect(batches).toEqual([[1, 2, 3], [1], [2], [3]]);
  });

  it('keeps working after a failure', async () => {
    let fail = true;
    const g = new GroupCommit(async () => {
      if (fail) throw new Error('store down');
    }, 10);
    await expect(g.add(1)).rejects.toThrow('store down');
    fail = false;
    await expect(g.add(2)).resolves.toBeUndefined();
  });

  it('fails a whole batch at once when the store is unavailable, without retrying item by item', async () => {
    const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const write = jest.fn(async (_items: number[]) => Promise.reject(down));
    const g = new GroupCommit(write, 100);
    const results = await Promise.allSettled([g.add(1), g.add(2), g.add(3)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(write).toHaveBeenCalledTimes(1);
  });
});
