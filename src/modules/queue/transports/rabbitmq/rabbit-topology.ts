import type { AmqpChannel } from './amqp-types';
import type { ConsumerSpec } from '../../core/job-transport';
import { queueNames, retryQueueCount } from '../../core/topology';

/**
 * Declares the jobs exchange and, per job type, the work queue, its retry queues and its
 * dead-letter queue (idempotent: asserting what exists is a no-op).
 *
 * Queue arguments are kept independent of tunable settings on purpose: RabbitMQ refuses to
 * re-declare a queue with different arguments (406, which also closes the channel), so a change
 * of QUEUE_RETRY_BASE_MS must not change them. Retry delays are therefore per-message
 * `expiration`s, not a queue-level `x-message-ttl`.
 *
 * - work queue: `nack(requeue=false)` dead-letters into the type's dead-letter queue (poison).
 * - retry queue n: no consumers; an expired message is dead-lettered back to the work queue.
 * - dead-letter queue: plain durable queue, drained by people (or requeued through the API).
 */
export async function assertTopology(
  ch: AmqpChannel,
  prefix: string,
  specs: ConsumerSpec[],
): Promise<void> {
  for (const spec of specs) {
    const n = queueNames(prefix, spec.type);
    await ch.assertExchange(n.exchange, 'topic', { durable: true });
    await ch.assertQueue(n.dead, { durable: true });
    await ch.bindQueue(n.dead, n.exchange, n.deadKey);
    await ch.assertQueue(n.work, {
      durable: true,
      arguments: { 'x-dead-letter-exchange': n.exchange, 'x-dead-letter-routing-key': n.deadKey },
    });
    await ch.bindQueue(n.work, n.exchange, n.workKey);
    for (let i = 1; i <= retryQueueCount(spec.maxAttempts); i++) {
      await ch.assertQueue(n.retry(i), {
        durable: true,
        arguments: { 'x-dead-letter-exchange': n.exchange, 'x-dead-letter-routing-key': n.workKey },
      });
      await ch.bindQueue(n.retry(i), n.exchange, n.retryKey(i));
    }
  }
}
