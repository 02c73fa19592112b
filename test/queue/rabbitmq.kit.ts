import type { INestApplication } from '@nestjs/common';
import { connect, type AmqpConnectionManager } from 'amqp-connection-manager';
import { JobHandlerRegistry } from '../../src/modules/queue/runtime/job-handler.registry';
import type { JobTransport } from '../../src/modules/queue/core/job-transport';
import { queueNames, jobsExchange, retryQueueCount } from '../../src/modules/queue/core/topology';
import type { AmqpConnectionModel } from '../../src/modules/queue/transports/rabbitmq/amqp-types';
import { RabbitTransport } from '../../src/modules/queue/transports/rabbitmq/rabbit.transport';
import { MAX_ATTEMPTS, TEST_TYPES, type TransportKit } from './queue-harness';

/** A connection manager that has connected (or throws after `timeoutMs`). */
export async function connected(url: string, timeoutMs = 5000): Promise<AmqpConnectionManager> {
  const conn = connect([url], { heartbeatIntervalInSeconds: 5, reconnectTimeInSeconds: 0.2 });
  try {
    await conn.connect({ timeout: timeoutMs });
  } catch (e) {
    await conn.close(); // or its reconnect loop keeps the test process alive
    throw e;
  }
  return conn;
}

/**
 * Deletes a prefix's exchange and every queue the given types declared (deleting a queue that
 * does not exist is not an error).
 */
export async function deleteTopology(
  url: string,
  prefix: string,
  types: ReadonlyArray<string | { type: string; maxAttempts: number }>,
  maxAttempts = MAX_ATTEMPTS,
): Promise<void> {
  const conn = await connected(url);
  try {
    const ch = await (conn.connection as AmqpConnectionModel).createChannel();
    for (const t of types) {
      const type = typeof t === 'string' ? t : t.type;
      const max = typeof t === 'string' ? maxAttempts : t.maxAttempts;
      const n = queueNames(prefix, type);
      for (let i = 1; i <= retryQueueCount(max); i++) await ch.deleteQueue(n.retry(i));
      await ch.deleteQueue(n.work);
      await ch.deleteQueue(n.dead);
    }
    await ch.deleteExchange(jobsExchange(prefix));
    await ch.close();
  } finally {
    await conn.close();
  }
}

/** Removes the binding that routes a type's new jobs to its work queue (queue and exchange stay). */
export async function unbindWork(url: string, prefix: string, type: string): Promise<void> {
  const conn = await connected(url);
  try {
    const ch = await (conn.connection as AmqpConnectionModel).createChannel();
    const n = queueNames(prefix, type);
    await ch.unbindQueue(n.work, jobsExchange(prefix), n.workKey);
    await ch.close();
  } finally {
    await conn.close();
  }
}

/** RabbitMQ: each instance its own connection; a scenario is a queue/exchange name prefix. */
export function rabbitKit(url: string): TransportKit {
  const conns = new Map<JobTransport, AmqpConnectionManager>();
  return {
    create: (scenario, retryBaseMs) => {
      const conn = connect([url], { heartbeatIntervalInSeconds: 5, reconnectTimeInSeconds: 0.2 });
      const t = new RabbitTransport(conn, {
        prefix: scenario,
        retryBaseMs,
        publishTimeoutMs: 3000,
        maxPendingPublishes: 100,
        ownsConnection: true,
      });
      conns.set(t, conn);
      return t;
    },
    // Closing the connection without acking is what the broker sees when a process dies.
    crash: async (t) => {
      await conns.get(t)?.close();
    },
    cleanup: async (scenario) => {
      await deleteTopology(url, scenario, TEST_TYPES, MAX_ATTEMPTS);
    },
  };
}

/** The job types an app declared (every module's, not only the queue's own), for cleanup. */
export function declaredTypes(app: INestApplication): Array<{ type: string; maxAttempts: number }> {
  return app
    .get(JobHandlerRegistry)
    .all()
    .map((r) => ({ type: r.type, maxAttempts: r.maxAttempts }));
}
