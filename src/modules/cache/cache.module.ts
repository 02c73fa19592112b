import { CacheModule } from '@nestjs/cache-manager';
import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Keyv, type DeserializedData } from 'keyv';
import { limitsConfig, storesConfig } from '../../config';
import { BoundedMap } from './bounded-map';
import { ResponseCache } from './response-cache.service';

const MEMORY_CACHE_ENTRIES = 10_000;

/** The Redis store, its client loaded only when REDIS_URL is set (a few MB otherwise spent). */
async function redisKeyv(url: string): Promise<Keyv> {
  const { default: KeyvRedis } = await import('@keyv/redis');
  return new Keyv({
    store: new KeyvRedis(url, { throwOnConnectError: false, connectionTimeout: 2000 }),
    namespace: 'aimw',
    useKeyPrefix: false,
  });
}

/** The in-memory store: Keyv over a bounded Map, values kept as JSON text. */
export function memoryKeyv(entries = MEMORY_CACHE_ENTRIES): Keyv {
  return new Keyv({
    store: new BoundedMap<string, unknown>(entries),
    // Stored as text, so a caller can never mutate a cached answer, but as plain JSON: Keyv's
    // default (a hand-written serializer, and a reviver that looks at every string for
    // Buffers) was about 5 % of a cache hit's CPU, and answers hold no Buffers. Nothing
    // outlives the process here, so there is no stored format to stay compatible with.
    serialize: (data) => JSON.stringify(data),
    deserialize: <Value>(text: string) => JSON.parse(text) as DeserializedData<Value>,
  });
}

/**
 * `@nestjs/cache-manager` on Keyv stores: `@keyv/redis` when REDIS_URL is set (the deprecated
 * cache-manager-redis-yet is not used), Keyv's in-memory Map otherwise.
 */
@Module({
  imports: [
    CacheModule.registerAsync({
      inject: [storesConfig.KEY, limitsConfig.KEY],
      useFactory: async (
        stores: ConfigType<typeof storesConfig>,
        limits: ConfigType<typeof limitsConfig>,
      ) => {
        const store = stores.redisUrl ? await redisKeyv(stores.redisUrl) : memoryKeyv();
        return { stores: [store], ttl: limits.cacheTtlSeconds * 1000 };
      },
    }),
  ],
  providers: [ResponseCache],
  exports: [ResponseCache],
})
export class ResponseCacheModule {}
