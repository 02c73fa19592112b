import type { FactoryProvider } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS_CLIENT } from '../../../../infra/redis/redis.module';
import { ApiKeyInvalidationBus, InProcessInvalidationBus } from './api-key-invalidation.bus';
import { RedisInvalidationBus } from './redis-invalidation.bus';

/** Redis pub/sub when REDIS_URL is set (several instances), in-process otherwise. */
export const invalidationBusProvider: FactoryProvider<ApiKeyInvalidationBus> = {
  provide: ApiKeyInvalidationBus,
  inject: [{ token: REDIS_CLIENT, optional: true }],
  useFactory: (redis: Redis | undefined) =>
    redis ? new RedisInvalidationBus(redis) : new InProcessInvalidationBus(),
};
