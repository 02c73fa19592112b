import { Global, Inject, Logger, Module, OnApplicationShutdown, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type Redis from 'ioredis';
import { storesConfig } from '../../config';
import { HealthRegistry } from '../health/health-registry';

/** Injection token for the shared ioredis client; absent (undefined) when REDIS_URL is unset. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

/**
 * One shared Redis client for the cache and rate-limit counters. Commands fail fast when the
 * server is unreachable (no offline queue) so callers can apply their own policy instead of hanging.
 */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [storesConfig.KEY, HealthRegistry],
      useFactory: async (
        stores: ConfigType<typeof storesConfig>,
        health: HealthRegistry,
      ): Promise<Redis | undefined> => {
        if (!stores.redisUrl) return undefined;
        // Loaded only when used: ioredis costs a few MB of memory in embedded deployments.
        const { default: RedisClient } = await import('ioredis');
        const logger = new Logger('Redis');
        const client = new RedisClient(stores.redisUrl, {
          lazyConnect: false,
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectTimeout: 3000,
          // A silent server fails commands instead of holding them (callers keep their own,
          // shorter deadlines where they have one).
          commandTimeout: stores.queryTimeoutMs,
          retryStrategy: (times) => Math.min(times * 200, 2000),
        });
        let lastError = '';
        client.on('error', (e: Error) => {
          // ioredis emits on every reconnect attempt; log each distinct failure once.
          if (e.message !== lastError) logger.warn(`Redis error: ${e.message}`);
          lastError = e.message;
        });
        client.on('ready', () => {
          lastError = '';
        });
        health.register({
          name: 'redis',
          required: true,
          check: async () => {
            if (client.status !== 'ready') throw new Error(`redis is ${client.status}`);
            await client.ping();
          },
        });
        return client;
      },
    },
  ],
  exports: [REDIS_CLIENT],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Optional() @Inject(REDIS_CLIENT) private readonly client?: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.client && this.client.status !== 'end') {
      await this.client.quit().catch(() => this.client?.disconnect());
    }
  }
}
