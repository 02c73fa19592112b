/**
 * A fixed-capacity FIFO over a preallocated array: push, shift and drop-oldest are O(1), so
 * the request path never pays for a resize or an `Array.prototype.shift` copy.
 */
export class RingBuffer<T> {
  private readonly slots: Array<T | undefined>;
  private head = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`RingBuffer capacity must be a positive integer, got ${capacity}`);
    }
    this.slots = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.size;
  }

  get isFull(): boolean {
    return this.size === this.capacity;
  }

  /** Appends at the back; the caller makes room first (returns false when full). */
  push(item: T): boolean {
    if (this.size === this.capacity) return false;
    this.slots[(this.head + this.size) % this.capacity] = item;
    this.size++;
    return true;
  }

  /** Removes and returns up to `n` items from the front, oldest first. */
  shiftMany(n: number): T[] {
    const count = Math.min(n, this.size);
    const out = new Array<T>(count);
    for (let i = 0; i < count; i++) {
      out[i] = this.slots[this.head] as T;
      this.slots[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
    }
    this.size -= count;
    return out;
  }

  /** Discards up to `n` items from the front; returns how many were discarded. */
  dropOldest(n = 1): number {
    const count = Math.min(n, this.size);
    for (let i = 0; i < count; i++) {
      this.slots[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
    }
    this.size -= count;
    return count;
  }

  /**
   * Puts items back at the front, keeping their order (used when a write failed). Returns how
   * many of the OLDEST given items did not fit and were left out.
   */
  unshiftMany(items: readonly T[]): number {
    const room = this.capacity - this.size;
    const skipped = Math.max(0, items.length - room);
    for (let i = items.length - 1; i >= skipped; i--) {
      this.head = (this.head - 1 + this.capacity) % this.capacity;
      this.slots[this.head] = items[i];
      this.size++;
    }
    return skipped;
  }

  /** Snapshot, oldest first (tests and diagnostics; O(n)). */
  toArray(): T[] {
    const out = new Array<T>(this.size);
    for (let i = 0; i < this.size; i++) out[i] = this.slots[(this.head + i) % this.capacity] as T;
    return out;
  }
}
