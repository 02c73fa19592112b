import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AppException, ErrorCode } from '../../../common/errors';
import { unauthenticated } from '../errors';
import { hashApiKey, isWellFormedApiKey } from './api-key-secret';
import { ApiKeyCache } from './api-key.cache';
import { unusableReason, type ApiKey } from './api-key.types';
import { ApiKeysRepository } from './api-keys.repository';
import { ALL_KEYS, ApiKeyInvalidationBus } from './invalidation/api-key-invalidation.bus';

export const API_KEY_CACHE_TTL_MS = 30_000;
export const API_KEY_NEGATIVE_TTL_MS = 5_000;
const MAX_CACHED_KEYS = 10_000;
/** `last_used_at` is written at most this often per key and instance. */
const MARK_USED_INTERVAL_MS = 60_000;

/**
 * Authenticates `gw_` keys on the hot path: hash, then a short-lived cache, then the store (one
 * lookup per hash at a time, however many requests arrive together). Revocation reaches every
 * instance's cache through the invalidation bus; expiry is checked on every request.
 */
@Injectable()
export class ApiKeyAuthenticator implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ApiKeyAuthenticator.name);
  private readonly cache = new ApiKeyCache({
    ttlMs: API_KEY_CACHE_TTL_MS,
    negativeTtlMs: API_KEY_NEGATIVE_TTL_MS,
    maxEntries: MAX_CACHED_KEYS,
  });
  private readonly inflight = new Map<string, Promise<ApiKey | null>>();
  private readonly lastMarkedUsed = new Map<string, number>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly repo: ApiKeysRepository,
    private readonly bus: ApiKeyInvalidationBus,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.bus.subscribe((id) => {
      if (id === ALL_KEYS) {
        this.cache.clear();
        this.inflight.clear();
      } else {
        this.cache.invalidate(id);
        // A lookup already running may return the old state: let the next request start anew.
        this.inflight.clear();
      }
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** The stored key for a presented secret; 401 when unknown, revoked or expired. */
  async authenticate(secret: string, now = new Date()): Promise<ApiKey> {
    if (!isWellFormedApiKey(secret)) throw unauthenticated('Invalid API key');
    let key: ApiKey | null;
    try {
      key = await this.lookup(hashApiKey(secret));
    } catch (e) {
      // The store is down: not the client's fault, and not a reason to let anyone in.
      this.logger.warn(`API key lookup failed: ${e instanceof Error ? e.message : String(e)}`);
      throw new AppException(
        ErrorCode.SERVICE_UNAVAILABLE,
        'API keys cannot be verified right now; try again shortly',
      );
    }
    if (!key) throw unauthenticated('Invalid API key');
    const reason = unusableReason(key, now);
    if (reason === 'revoked') throw unauthenticated('API key has been revoked');
    if (reason === 'expired') throw unauthenticated('API key has expired');
    this.markUsed(key, now);
    return key;
  }

  private lookup(hash: string): Promise<ApiKey | null> {
    const cached = this.cache.get(hash);
    if (cached !== undefined) return Promise.resolve(cached);
    let pending = this.inflight.get(hash);
    if (!pending) {
      const snapshot = this.cache.snapshot();
      pending = this.repo
        .findByHash(hash)
        .then((found) => {
          const key = found ?? null;
          this.cache.set(hash, key, snapshot);
          return key;
        })
        .finally(() => {
          if (this.inflight.get(hash) === pending) this.inflight.delete(hash);
        });
      this.inflight.set(hash, pending);
    }
    return pending;
  }

  /** Bookkeeping off the request path: never awaited, failures only logged. */
  private markUsed(key: ApiKey, now: Date): void {
    const last = this.lastMarkedUsed.get(key.id) ?? 0;
    if (now.getTime() - last < MARK_USED_INTERVAL_MS) return;
    if (this.lastMarkedUsed.size >= MAX_CACHED_KEYS) this.lastMarkedUsed.clear();
    this.lastMarkedUsed.set(key.id, now.getTime());
    this.repo.markUsed(key.org_id, key.id, now).catch((e: unknown) => {
      this.logger.warn(
        `Could not record the use of API key ${key.id}: ${e instanceof Error ? e.message : String(e)}`,
      );
    });
  }
}
