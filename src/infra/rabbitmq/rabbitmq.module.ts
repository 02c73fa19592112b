import { DynamicModule, Module } from '@nestjs/common';
import { AmqpConnection, RabbitMQModule } from '@golevelup/nestjs-rabbitmq';
import { HealthRegistry } from '../health/health-registry';

export const JOBS_EXCHANGE = 'gateway.jobs';

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
 * at boot: the connection manager reconnects by itself and readiness reports the state.
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
          exchanges: [{ name: JOBS_EXCHANGE, type: 'topic', options: { durable: true } }],
          connectionInitOptions: { wait: false },
          enableControllerDiscovery: true,
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
