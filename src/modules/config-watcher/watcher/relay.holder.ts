import { Inject, Injectable, OnApplicationShutdown, Optional } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS_CLIENT } from '../../../infra/redis/redis.module';
import { ConfigChangeBus } from '../events/config-change.bus';
import { RedisChangeRelay } from '../events/redis-change.relay';

/**
 * Owns the Redis relay when REDIS_URL is set. It is a forwarder from construction on, so even
 * writes made while the app is still starting reach the other instances.
 */
@Injectable()
export class ConfigRelayHolder implements OnApplicationShutdown {
  readonly relay: RedisChangeRelay | undefined;

  constructor(bus: ConfigChangeBus, @Optional() @Inject(REDIS_CLIENT) redis?: Redis) {
    if (redis) {
      this.relay = new RedisChangeRelay(redis, bus);
      bus.addForwarder(this.relay);
    }
  }

  onApplicationShutdown(): void {
    this.relay?.close();
  }
}
