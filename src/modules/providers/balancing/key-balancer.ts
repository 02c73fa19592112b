import type { FailureKind } from '../errors/provider-error';

/** One member of a service's key pool, as the balancer sees it (never the key itself). */
export interface BalancedKey {
  /** Stable hash of key + base URL: names the key in the balancer's and the breakers' state. */
  keyId: string;
  /** Share of the traffic relative to the other members (1-1000; 1 when absent). */
  weight?: number;
}

export interface KeyBalancerOptions {
  /** First cooldown of a failing key; each consecutive failure doubles it. */
  keyCooldownMs: number;
  /** Longest cooldown of the exponential series (a provider's Retry-After may ask for longer). */
  keyCooldownMaxMs: number;
  /** Clock (ms); injectable so tests can move time without sleeping. */
  now?: () => number;
}

/**
 * Failures that say something about the key (or the deployment behind it) rather than about the
 * request: rejected credentials, rate limits, server errors, broken connections. These cool the
 * key down and the call moves to another key of the same service at once.
 */
const KEY_SPECIFIC: ReadonlySet<FailureKind> = new Set([
  'auth',
  'rate_limited',
  'server',
  'connection',
]);

export const isKeySpecific = (kind: FailureKind): boolean => KEY_SPECIFIC.has(kind);

interface KeyHealth {
  failures: number;
  coolUntil: number;
}

/** A provider's Retry-After is honoured up to this (a daily quota may say hours). */
export const MAX_RETRY_AFTER_COOLDOWN_MS = 3_600_000;

/** Bounds on remembered keys and pools, so org-supplied keys cannot grow the maps forever. */
const MAX_TRACKED = 10_000;

/**
 * Spreads calls over the keys of one pool by weight, with smooth weighted round-robin (the
 * nginx algorithm: deterministic, so N calls land on each key within one call of
 * N * weight / total, and interleaved rather than in bursts). A key that fails in a key-specific
 * way cools down (exponential from `keyCooldownMs`, capped at `keyCooldownMaxMs`, or the
 * provider's Retry-After when longer, up to an hour) and leaves the rotation; the others take its share. A cooling key is
 * still used when every member is cooling: cooldowns shift traffic, they never refuse a call
 * (refusing is the circuit breaker's job, which keeps its own per-key, per-tenant state).
 *
 * State is per process: each instance balances its own traffic (the shares still hold across
 * instances, each landing within rounding of the weights).
 */
export class KeyBalancer {
  private readonly health = new Map<string, KeyHealth>();
  /** Smooth-WRR "current weight" per pool (pool id: its members' key ids) and member. */
  private readonly pools = new Map<string, Map<string, number>>();
  private readonly now: () => number;

  constructor(private readonly opts: KeyBalancerOptions) {
    this.now = opts.now ?? Date.now;
  }

  /**
   * The member for the next attempt. Members in `exclude` (already tried by this call) are
   * skipped while others remain; among the candidates, those not cooling share by weight; when
   * all candidates are cooling, the one whose cooldown ends first.
   */
  pick<K extends BalancedKey>(pool: readonly K[], exclude: ReadonlySet<string> = new Set()): K {
    if (pool.length === 1) return pool[0];
    const fresh = pool.filter((k) => !exclude.has(k.keyId));
    const candidates = fresh.length > 0 ? fresh : pool;
    const now = this.now();
    const ready = candidates.filter((k) => this.coolingUntil(k.keyId) <= now);
    if (ready.length === 0) {
      return candidates.reduce((a, b) =>
        this.coolingUntil(b.keyId) < this.coolingUntil(a.keyId) ? b : a,
      );
    }
    return this.roundRobin(pool, ready);
  }

  /** The key answered: it is healthy again, its next failure starts from the first cooldown. */
  onSuccess(keyId: string): void {
    this.health.delete(keyId);
  }

  /** A key-specific failure: cool the key down; returns the cooldown in ms. */
  onFailure(keyId: string, retryAfterMs?: number): number {
    const h = this.health.get(keyId) ?? { failures: 0, coolUntil: 0 };
    h.failures = Math.min(h.failures + 1, 30);
    const backoff = Math.min(
      this.opts.keyCooldownMs * 2 ** (h.failures - 1),
      this.opts.keyCooldownMaxMs,
    );
    const asked = Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_COOLDOWN_MS);
    const ms = Math.max(backoff, asked);
    h.coolUntil = this.now() + ms;
    this.remember(this.health, keyId, h);
    return ms;
  }

  /** When the key's cooldown ends (ms since the epoch; 0 or past when it is not cooling). */
  coolingUntil(keyId: string): number {
    return this.health.get(keyId)?.coolUntil ?? 0;
  }

  private roundRobin<K extends BalancedKey>(pool: readonly K[], ready: readonly K[]): K {
    const poolId = pool.map((k) => k.keyId).join(',');
    let current = this.pools.get(poolId);
    if (!current) {
      current = new Map();
      this.remember(this.pools, poolId, current);
    }
    let total = 0;
    let best: K = ready[0];
    let bestWeight = -Infinity;
    for (const k of ready) {
      const w = k.weight ?? 1;
      const cw = (current.get(k.keyId) ?? 0) + w;
      current.set(k.keyId, cw);
      total += w;
      if (cw > bestWeight) {
        best = k;
        bestWeight = cw;
      }
    }
    current.set(best.keyId, bestWeight - total);
    return best;
  }

  private remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    map.set(key, value);
    if (map.size > MAX_TRACKED) {
      const oldest = map.keys().next().value;
      if (oldest !== undefined) map.delete(oldest);
    }
  }
}
