import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { parseConfigChange, type ConfigChange } from './config-change';
import { errorText, type ChangeForwarder, type ConfigChangeBus } from './config-change.bus';

export const CONFIG_CHANNEL = 'aimw:config-changes';

/**
 * Instance-to-instance fan-out of config changes over Redis pub/sub, when REDIS_URL is set: the
 * fast path (a revoked API key is refused everywhere at once), in front of the database watcher
 * that also sees writes made without the gateway. Subscribing needs its own connection (a
 * subscribed connection can run nothing else). Pub/sub is fire-and-forget, so whenever the
 * subscriber (re)connects every cache is dropped: whatever was published meanwhile is covered.
 */
export class RedisChangeRelay implements ChangeForwarder {
  readonly name = 'redis';
  private readonly logger = new Logger('ConfigChangeRelay');
  private readonly subscriber: Redis;
  /** Our own messages come back to us; they were applied locally already. */
  private readonly origin = randomUUID();
  private lastError = '';
  private ready = false;

  constructor(
    private readonly client: Redis,
    private readonly bus: ConfigChangeBus,
  ) {
    this.subscriber = client.duplicate();
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === CONFIG_CHANNEL) this.onMessage(message);
    });
    this.subscriber.on('ready', () => {
      this.lastError = '';
      this.subscriber
        .subscribe(CONFIG_CHANNEL)
        .then(() => {
          this.ready = true;
          this.bus.resync('config relay (re)connected to Redis');
        })
        .catch((e: unknown) => this.warn(e));
    });
    this.subscriber.on('close', () => {
      this.ready = false;
    });
    this.subscriber.on('error', (e: Error) => this.warn(e));
  }

  /** Whether the subscriber is listening (shown by /health/ready). */
  get connected(): boolean {
    return this.ready;
  }

  async forward(change: ConfigChange): Promise<void> {
    await this.client.publish(CONFIG_CHANNEL, JSON.stringify({ src: this.origin, ...change }));
  }

  close(): void {
    this.subscriber.disconnect();
  }

  private onMessage(message: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(message);
    } catch {
      return;
    }
    if ((raw as { src?: unknown }).src === this.origin) return;
    const change = parseConfigChange(raw);
    if (change) this.bus.receive(change);
  }

  private warn(e: unknown): void {
    const text = errorText(e);
    if (text !== this.lastError) this.logger.warn(`Config change relay: ${text}`);
    this.lastError = text;
  }
}
