import type { ApiKey } from './api-key.types';

export interface ApiKeyCacheOptions {
  /** How long a found key is trusted without asking the store again. */
  ttlMs: number;
  /** How long "no such key" is remembered (short: it only absorbs repeated bad keys). */
  negativeTtlMs: number;
  maxEntries: number;
  now?: () => number;
}

interface Entry {
  key: ApiKey | null;
  expiresAt: number;
}

/**
 * Key hash -> stored key (or "none"), for a short time, so authentication does not hit the
 * database on every request. Revocation and edits invalidate entries by key id (see the
 * invalidation bus); expiry is checked on every use against the cached `expires_at`, so it needs
 * no invalidation. Bounded: the oldest entries go first when full.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly hashById = new Map<string, string>();
  private readonly now: () => number;
  /** Bumped by every invalidation; a lookup that straddles one must not be cached. */
  private generation = 0;

  constructor(private readonly opts: ApiKeyCacheOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** The cached answer: a key, null ("no such key"), or undefined (not cached). */
  get(hash: string): ApiKey | null | undefined {
    const entry = this.entries.get(hash);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.drop(hash);
      return undefined;
    }
    return entry.key;
  }

  /** A token to pass back to `set`, taken before the store lookup starts. */
  snapshot(): number {
    return this.generation;
  }

  /** Caches a lookup result unless an invalidation happened since `snapshot`. */
  set(hash: string, key: ApiKey | null, snapshot: number): void {
    if (snapshot !== this.generation) return;
    this.drop(hash);
    while (this.entries.size >= this.opts.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.drop(oldest.value);
    }
    const ttl = key ? this.opts.ttlMs : this.opts.negativeTtlMs;
    this.entries.set(hash, { key, expiresAt: this.now() + ttl });
    if (key) this.hashById.set(key.id, hash);
  }

  invalidate(id: string): void {
    this.generation++;
    const hash = this.hashById.get(id);
    if (hash !== undefined) this.drop(hash);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.hashById.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private drop(hash: string): void {
    const entry = this.entries.get(hash);
    if (entry?.key) this.hashById.delete(entry.key.id);
    this.entries.delete(hash);
  }
}
