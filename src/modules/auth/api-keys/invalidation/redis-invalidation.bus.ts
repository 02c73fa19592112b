import { Logger, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { ALL_KEYS, InProcessInvalidationBus } from './api-key-invalidation.bus';

export const INVALIDATION_CHANNEL = 'aimw:api-keys:invalidate';

/**
 * Invalidation across instances over Redis pub/sub. Subscribing needs its own connection (a
 * subscribed connection can run nothing else). Pub/sub is fire-and-forget, so whenever the
 * subscriber (re)connects we drop the whole local cache: anything published while we were
 * disconnected is then covered. If publishing fails, other instances converge within the cache
 * TTL; that is logged.
 */
export class RedisInvalidationBus
  extends InProcessInvalidationBus
  implements OnApplicationShutdown
{
  private readonly logger = new Logger('ApiKeyInvalidation');
  private readonly subscriber: Redis;
  private lastError = '';

  constructor(private readonly client: Redis) {
    super();
    this.subscriber = client.duplicate();
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === INVALIDATION_CHANNEL && message.length > 0) this.notify(message);
    });
    this.subscriber.on('ready', () => {
      this.lastError = '';
      this.notify(ALL_KEYS);
      this.subscriber.subscribe(INVALIDATION_CHANNEL).catch((e: unknown) => this.warn(e));
    });
    this.subscriber.on('error', (e: Error) => this.warn(e));
  }

  override async publish(keyId: string): Promise<void> {
    this.notify(keyId);
    try {
      await this.client.publish(INVALIDATION_CHANNEL, keyId);
    } catch (e) {
      this.logger.warn(
        `Could not publish an API key invalidation (other instances catch up within the cache TTL): ${message(e)}`,
      );
    }
  }

  onApplicationShutdown(): void {
    this.subscriber.disconnect();
  }

  private warn(e: unknown): void {
    const text = message(e);
    if (text !== this.lastError) this.logger.warn(`Invalidation subscriber: ${text}`);
    this.lastError = text;
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
