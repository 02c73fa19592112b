export interface TtlMapOptions<K, V> {
  /** At most this many entries; setting one more forgets the oldest first. */
  maxEntries: number;
  now?: () => number;
  /** Told of every entry that leaves (deleted, replaced, evicted or expired on read). */
  onDelete?: (key: K, value: V) => void;
}

interface Entry<V> {
  value: V;
  /** Milliseconds since the epoch from which the entry is expired. */
  expires: number;
}

/**
 * The gateway's one small in-memory cache: a bounded map whose entries expire. The oldest entry
 * (by insertion) goes first when full. An expired entry is not served by `get`, but stays held
 * until it is replaced, evicted or read by `get`, so a caller may still read it as a last known
 * value (`getExpired`).
 */
export class TtlMap<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  private readonly now: () => number;

  constructor(private readonly opts: TtlMapOptions<K, V>) {
    this.now = opts.now ?? Date.now;
  }

  /** The live value; an expired entry is forgotten and undefined returned. */
  get(key: K): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= this.now()) {
      this.delete(key);
      return undefined;
    }
    return e.value;
  }

  /** The live value without forgetting an expired one. */
  peek(key: K): V | undefined {
    const e = this.entries.get(key);
    return e && e.expires > this.now() ? e.value : undefined;
  }

  /** Whether `key` holds a live value (a value may itself be undefined). */
  has(key: K): boolean {
    const e = this.entries.get(key);
    return e !== undefined && e.expires > this.now();
  }

  /** Whether `key` is held at all, live or expired. */
  holds(key: K): boolean {
    return this.entries.has(key);
  }

  /** The held value, live or expired. */
  getExpired(key: K): V | undefined {
    return this.entries.get(key)?.value;
  }

  /** Holds `value` for `ttlMs` (nothing is held when `ttlMs` is not positive). */
  set(key: K, value: V, ttlMs: number): void {
    this.delete(key);
    if (ttlMs <= 0) return;
    while (this.entries.size >= this.opts.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
    this.entries.set(key, { value, expires: this.now() + ttlMs });
  }

  /** Keeps a held entry (live or expired) live for at least `ms` more. */
  extend(key: K, ms: number): void {
    const e = this.entries.get(key);
    if (e) e.expires = Math.max(e.expires, this.now() + ms);
  }

  delete(key: K): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.opts.onDelete?.(key, e.value);
  }

  /** Deletes every held entry `drop` accepts. */
  deleteWhere(drop: (key: K, value: V) => boolean): void {
    for (const [key, e] of this.entries) if (drop(key, e.value)) this.delete(key);
  }

  clear(): void {
    for (const key of [...this.entries.keys()]) this.delete(key);
  }

  /** Entries held, expired ones included. */
  get size(): number {
    return this.entries.size;
  }
}
