import { TtlMap } from './ttl-map';

export interface ReadThroughCacheOptions {
  /** How long a found record is reused: the safety net should an invalidation ever be lost. */
  ttlMs: number;
  /** How long "no such record" is remembered (short: it only absorbs repeated bad ids). */
  negativeTtlMs: number;
  maxEntries: number;
  now?: () => number;
  /**
   * When a reload fails with an error this accepts (the store is down), the last known value is
   * served instead, and reused for `staleRetryMs` before the store is tried again, so requests
   * do not each wait for a dead store. Invalidated records are never served stale.
   */
  serveStaleOn?: (error: unknown) => boolean;
  staleRetryMs?: number;
}

interface Entry<V> {
  org: string;
  id: string;
  value: V | undefined;
}

/**
 * (org, id) -> record, read through a loader, for the hot path. Its owner invalidates it (the
 * config caches through config-watcher's `invalidateOnChanges`): by record, by id in any org (a
 * change whose org the source could not tell), or whole.
 *
 * Concurrent misses for one key share one load. A load that straddles an invalidation is
 * returned to its callers (their requests started before the change) but never cached, and
 * later callers do not join it: otherwise a read racing an update could pin the old version.
 *
 * Expired records are kept (within `maxEntries`) as the last known value: with
 * `serveStaleOn`, a failed reload falls back to it.
 */
export class ReadThroughCache<V> {
  private readonly entries: TtlMap<string, Entry<V>>;
  private readonly inflight = new Map<string, Promise<V | undefined>>();
  private generation = 0;

  constructor(private readonly opts: ReadThroughCacheOptions) {
    this.entries = new TtlMap({ maxEntries: opts.maxEntries, now: opts.now });
  }

  async get(org: string, id: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const key = keyOf(org, id);
    if (this.entries.has(key)) return this.entries.peek(key)?.value;
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const generation = this.generation;
    const p = load()
      .then((value) => {
        if (generation === this.generation) this.store(key, org, id, value);
        return value;
      })
      .catch((e: unknown) => {
        const stale = this.entries.getExpired(key);
        if (!stale || generation !== this.generation || !this.opts.serveStaleOn?.(e)) throw e;
        this.entries.extend(key, this.opts.staleRetryMs ?? 1000);
        return stale.value;
      })
      .finally(() => {
        if (this.inflight.get(key) === p) this.inflight.delete(key);
      });
    this.inflight.set(key, p);
    return p;
  }

  /** The cached record, without loading (undefined when absent, expired or known missing). */
  peek(org: string, id: string): V | undefined {
    return this.entries.peek(keyOf(org, id))?.value;
  }

  /**
   * The last known record even if expired (never one that was invalidated), for a caller whose
   * own batch reload failed with an error `serveStaleOn` accepts; undefined otherwise.
   */
  staleOnError(org: string, id: string, error: unknown): V | undefined {
    if (!this.opts.serveStaleOn?.(error)) return undefined;
    const key = keyOf(org, id);
    const hit = this.entries.getExpired(key);
    if (!hit) return undefined;
    this.entries.extend(key, this.opts.staleRetryMs ?? 1000);
    return hit.value;
  }

  /** Caches a value loaded elsewhere (e.g. a batch read), unless an invalidation intervened. */
  put(org: string, id: string, value: V, loadedAtGeneration: number): void {
    if (loadedAtGeneration === this.generation) this.store(keyOf(org, id), org, id, value);
  }

  /** The current generation: take it before a batch read, pass it to `put`. */
  snapshot(): number {
    return this.generation;
  }

  /** Drops the record; with a null org, the id in every org. */
  invalidate(org: string | null, id: string): void {
    this.generation++;
    this.inflight.clear();
    if (org !== null) {
      this.entries.delete(keyOf(org, id));
      return;
    }
    this.entries.deleteWhere((_key, e) => e.id === id);
  }

  clear(): void {
    this.generation++;
    this.inflight.clear();
    this.entries.clear();
  }

  /** Records held, expired ones (kept as last known values) included. */
  get size(): number {
    return this.entries.size;
  }

  private store(key: string, org: string, id: string, value: V | undefined): void {
    const ttl = value === undefined ? this.opts.negativeTtlMs : this.opts.ttlMs;
    this.entries.set(key, { org, id, value }, ttl);
  }
}

const keyOf = (org: string, id: string) => `${org}\u0000${id}`;
