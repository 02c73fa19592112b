import { DynamicModule, Module } from '@nestjs/common';
import { AmqpConnection, RabbitMQModule } from '@golevelup/nestjs-rabbitmq';
import type { ChannelWrapper } from 'amqp-connection-manager';
import { HealthRegistry } from '../health/health-registry';

/** A probe must be confirmed within this, or readiness reports the broker down. */
const PROBE_TIMEOUT_MS = 1500;
/** The default exchange drops a message for a queue that does not exist, and still confirms it. */
const PROBE_ROUTING_KEY = 'aimw.readiness-probe.unrouted';

/**
 * Readiness of the broker. "Connected" alone is not enough: a broker that went silent (a
 * network partition, a hung node) keeps the TCP connection up until heartbeats time out, while
 * every publish waits. So each check also publishes an empty, non-persistent message on a
 * confirm channel of its own and waits for the broker's confirm, with a deadline.
 */
class RabbitHealth {
  private probe?: ChannelWrapper;

  constructor(
    private readonly amqp: AmqpConnection,
    health: HealthRegistry,
  ) {
    health.register({ name: 'rabbitmq', required: true, check: () => this.check() });
  }

  private async check(): Promise<void> {
    const conn = this.amqp.managedConnection;
    if (!conn.isConnected()) throw new Error('rabbitmq is not connected');
    this.probe ??= conn.createChannel({ name: 'readiness-probe', confirm: true });
    try {
      // Not persistent (the default): the broker confirms it without touching its disk.
      await this.probe.publish('', PROBE_ROUTING_KEY, Buffer.alloc(0), {
        timeout: PROBE_TIMEOUT_MS,
      });
    } catch (e) {
      const why =
        e instanceof Error && e.message === 'timeout'
          ? `no confirm within ${PROBE_TIMEOUT_MS} ms`
          : String(e);
      throw new Error(`rabbitmq does not answer: ${why}`);
    }
  }
}

/**
 * The RabbitMQ connection, used when RABBITMQ_URL is set. The app does not wait for the broker
 * at boot: the connection manager reconnects by itself (every 2 s, noticing a dead broker within
 * a few heartbeats) and readiness reports the state.
 *
 * Exchanges and queues are not declared here: the queue module declares its topology (names
 * derived from QUEUE_PREFIX) on its own channels, again after every reconnect. Direct reply-to
 * (RPC) is off: nothing here does RPC over RabbitMQ.
 *
 * Known limit of golevelup 9: its connection registry is process-wide, so closing one app closes
 * the RabbitMQ connections of every app in the same process. Apps that share a process (tests)
 * must run one after another, not side by side.
 */
@Module({})
export class RabbitMqInfraModule {
  static forRoot(uri: string): DynamicModule {
    return {
      module: RabbitMqInfraModule,
      global: true,
      imports: [
        RabbitMQModule.forRoot({
          uri,
          connectionInitOptions: { wait: false },
          connectionManagerOptions: { heartbeatIntervalInSeconds: 5, reconnectTimeInSeconds: 2 },
          enableDirectReplyTo: false,
        }),
      ],
      providers: [
        {
          provide: RabbitHealth,
          inject: [AmqpConnection, HealthRegistry],
          useFactory: (a: AmqpConnection, h: HealthRegistry) => new RabbitHealth(a, h),
        },
      ],
      exports: [RabbitMQModule],
    };
  }
}
