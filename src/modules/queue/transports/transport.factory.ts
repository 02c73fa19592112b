import type { FactoryProvider } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { storesConfig } from '../../../config';
import { JobTransport } from '../core/job-transport';
import {
  IN_PROCESS_MAX_BUFFERED,
  queueConfig,
  RABBIT_MAX_PENDING_PUBLISHES,
} from '../queue.config';
import { InProcessBroker } from './in-process/in-process-broker';
import { InProcessTransport } from './in-process/in-process.transport';
import { RabbitTransport } from './rabbitmq/rabbit.transport';

/** Dead letters the in-process broker keeps per type (the job store keeps every dead job). */
const IN_PROCESS_MAX_DEAD = 1000;

/**
 * The one place the transport is chosen: RabbitMQ when RABBITMQ_URL is set (on the connection
 * golevelup's RabbitMQModule opened), the in-process twin otherwise.
 */
export const jobTransportProvider: FactoryProvider<JobTransport> = {
  provide: JobTransport,
  inject: [storesConfig.KEY, queueConfig.KEY, { token: AmqpConnection, optional: true }],
  useFactory: (
    stores: ConfigType<typeof storesConfig>,
    q: ConfigType<typeof queueConfig>,
    amqp: AmqpConnection | undefined,
  ): JobTransport => {
    if (stores.rabbitmqUrl) {
      if (!amqp) throw new Error('RABBITMQ_URL is set but no RabbitMQ connection was created');
      return new RabbitTransport(amqp.managedConnection, {
        prefix: q.prefix,
        retryBaseMs: q.retryBaseMs,
        publishTimeoutMs: q.publishTimeoutMs,
        maxPendingPublishes: RABBIT_MAX_PENDING_PUBLISHES,
      });
    }
    const broker = new InProcessBroker({
      maxBuffered: IN_PROCESS_MAX_BUFFERED,
      maxDeadPerType: IN_PROCESS_MAX_DEAD,
    });
    return new InProcessTransport(broker, { retryBaseMs: q.retryBaseMs, ownsBroker: true });
  },
};
