import { DynamicModule, Module } from '@nestjs/common';
import { AmqpConnection, RabbitMQModule } from '@golevelup/nestjs-rabbitmq';
import { HealthRegistry } from '../health/health-registry';

class RabbitHealth {
  constructor(amqp: AmqpConnection, health: HealthRegistry) {
    health.register({
      name: 'rabbitmq',
      required: true,
      check: async () => {
        if (!amqp.managedConnection.isConnected()) throw new Error('rabbitmq is not connected');
      },
    });
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
