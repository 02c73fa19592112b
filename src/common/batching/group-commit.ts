import { isStoreUnavailable } from '../errors';

interface Waiter<T> {
  item: T;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit: items added while a write is running (or in the same tick) go together in the
 * next write. Each caller still awaits its own item being stored, or its error, so callers see
 * the semantics of one write per item while N concurrent items cost one multi-row INSERT.
 * Under light load a write starts on the next turn of the event loop; under heavy load batches
 * grow by themselves, up to `maxBatch`.
 */
export class GroupCommit<T> {
  private pending: Waiter<T>[] = [];
  private draining = false;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly maxBatch: number,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      try {
        await this.write(batch.map((w) => w.item));
        for (const w of batch) w.resolve();
      } catch (e) {
        // The store is down or silent: every item would fail the same way, each after its own
        // timeout. Fail them together.
        if (batch.length === 1 || isStoreUnavailable(e)) for (const w of batch) w.reject(e);
        // One bad item must not fail its neighbours: retry them one by one.
        else for (const w of batch) await this.writeOne(w);
      }
    }
    this.draining = false;
  }

  private async writeOne(w: Waiter<T>): Promise<void> {
    try {
      await this.write([w.item]);
      w.resolve();
    } catch (e) {
      w.reject(e);
    }
  }
}
