import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import { counter } from '../../common/metrics/prom';

/** A store slower than this is treated as a miss: the cache must never slow a request down. */
const STORE_TIMEOUT_MS = 250;

const lookups = counter('gateway_cache_lookups_total', 'Response cache lookups by result', [
  'result',
]);
const storeErrors = counter(
  'gateway_cache_store_errors_total',
  'Response cache store failures (treated as misses)',
  ['op'],
);

/**
 * The response cache (Redis through Keyv when REDIS_URL is set, in memory otherwise) with
 * single-flight: concurrent identical misses share one provider call.
 */
@Injectable()
export class ResponseCache {
  private readonly logger = new Logger(ResponseCache.name);
  private readonly inflight = new Map<string, Promise<unknown>>();

  constructor(@Inject(CACHE_MANAGER) private readonly cache: Cache) {}

  async get<T>(key: string): Promise<T | undefined> {
    try {
      const value = await withTimeout(this.cache.get<T>(key), STORE_TIMEOUT_MS);
      lookups.inc({ result: value === undefined || value === null ? 'miss' : 'hit' });
      return value ?? undefined;
    } catch (e) {
      this.fail('get', e);
      lookups.inc({ result: 'error' });
      return undefined;
    }
  }

  async set<T>(key: string, value: T, ttlSeconds: number): Promise<void> {
    if (ttlSeconds <= 0) return;
    try {
      await withTimeout(this.cache.set(key, value, ttlSeconds * 1000), STORE_TIMEOUT_MS);
    } catch (e) {
      this.fail('set', e);
    }
  }

  /**
   * Runs `produce` once per key at a time: callers arriving while it runs get the same promise.
   * Returns whether this caller was the one that produced it.
   */
  async singleFlight<T>(
    key: string,
    produce: () => Promise<T>,
  ): Promise<{ value: T; leader: boolean }> {
    const running = this.inflight.get(key) as Promise<T> | undefined;
    if (running) return { value: await running, leader: false };
    const p = produce();
    this.inflight.set(key, p);
    try {
      return { value: await p, leader: true };
    } finally {
      this.inflight.delete(key);
    }
  }

  private fail(op: string, e: unknown): void {
    storeErrors.inc({ op });
    this.logger.warn(
      `cache ${op} failed, continuing without cache: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`cache store did not answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
