import { CacheModule } from '@nestjs/cache-manager';
import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import KeyvRedis from '@keyv/redis';
import { Keyv } from 'keyv';
import { limitsConfig, storesConfig } from '../../config';
import { BoundedMap } from './bounded-map';
import { ResponseCache } from './response-cache.service';

const MEMORY_CACHE_ENTRIES = 10_000;

/**
 * `@nestjs/cache-manager` on Keyv stores: `@keyv/redis` when REDIS_URL is set (the deprecated
 * cache-manager-redis-yet is not used), Keyv's in-memory Map otherwise.
 */
@Module({
  imports: [
    CacheModule.registerAsync({
      inject: [storesConfig.KEY, limitsConfig.KEY],
      useFactory: (
        stores: ConfigType<typeof storesConfig>,
        limits: ConfigType<typeof limitsConfig>,
      ) => {
        const store = stores.redisUrl
          ? new Keyv({
              store: new KeyvRedis(stores.redisUrl, {
                throwOnConnectError: false,
                connectionTimeout: 2000,
              }),
              namespace: 'aimw',
              useKeyPrefix: false,
            })
          : new Keyv({ store: new BoundedMap<string, unknown>(MEMORY_CACHE_ENTRIES) });
        return { stores: [store], ttl: limits.cacheTtlSeconds * 1000 };
      },
    }),
  ],
  providers: [ResponseCache],
  exports: [ResponseCache],
})
export class ResponseCacheModule {}
