import { TtlMap } from '../../../common/cache/ttl-map';
import type { ApiKey } from './api-key.types';

export interface ApiKeyCacheOptions {
  /** How long a found key is trusted without asking the store again. */
  ttlMs: number;
  /** How long "no such key" is remembered (short: it only absorbs repeated bad keys). */
  negativeTtlMs: number;
  maxEntries: number;
  now?: () => number;
}

/**
 * Key hash -> stored key (or "none"), for a short time, so authentication does not hit the
 * database on every request. Revocation and edits invalidate entries by key id (see the
 * invalidation bus); expiry is checked on every use against the cached `expires_at`, so it needs
 * no invalidation. Bounded: the oldest entries go first when full.
 */
export class ApiKeyCache {
  /** Key hash -> the key, or null for "no such key". */
  private readonly entries: TtlMap<string, ApiKey | null>;
  private readonly hashById = new Map<string, string>();
  /** Bumped by every invalidation; a lookup that straddles one must not be cached. */
  private generation = 0;

  constructor(private readonly opts: ApiKeyCacheOptions) {
    this.entries = new TtlMap({
      maxEntries: opts.maxEntries,
      now: opts.now,
      onDelete: (_hash, key) => {
        if (key) this.hashById.delete(key.id);
      },
    });
  }

  /** The cached answer: a key, null ("no such key"), or undefined (not cached). */
  get(hash: string): ApiKey | null | undefined {
    return this.entries.get(hash);
  }

  /** A token to pass back to `set`, taken before the store lookup starts. */
  snapshot(): number {
    return this.generation;
  }

  /** Caches a lookup result unless an invalidation happened since `snapshot`. */
  set(hash: string, key: ApiKey | null, snapshot: number): void {
    if (snapshot !== this.generation) return;
    this.entries.set(hash, key, key ? this.opts.ttlMs : this.opts.negativeTtlMs);
    if (key && this.entries.holds(hash)) this.hashById.set(key.id, hash);
  }

  invalidate(id: string): void {
    this.generation++;
    const hash = this.hashById.get(id);
    if (hash !== undefined) this.entries.delete(hash);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
