/**
 * Broker names for one deployment (prefix) and job type. The same names are used by the
 * RabbitMQ transport and, for metrics and docs, by the in-process twin:
 *
 *   exchange  <prefix>.jobs                       (topic, durable)
 *   work      <prefix>.jobs.<type>                 key <type>
 *   retry n   <prefix>.jobs.<type>.retry.<n>       key <type>.retry.<n>; messages expire back to work
 *   dead      <prefix>.jobs.<type>.dead            key <type>.dead
 */
export interface JobQueueNames {
  exchange: string;
  work: string;
  workKey: string;
  dead: string;
  deadKey: string;
  retry(attempt: number): string;
  retryKey(attempt: number): string;
}

export function jobsExchange(prefix: string): string {
  return `${prefix}.jobs`;
}

export function queueNames(prefix: string, type: string): JobQueueNames {
  const exchange = jobsExchange(prefix);
  const work = `${exchange}.${type}`;
  return {
    exchange,
    work,
    workKey: type,
    dead: `${work}.dead`,
    deadKey: `${type}.dead`,
    retry: (n) => `${work}.retry.${n}`,
    retryKey: (n) => `${type}.retry.${n}`,
  };
}

/**
 * Retry queues a type needs: one per retry, i.e. one fewer than the runs allowed — and at least
 * one, because a delivery can be retried without being counted as a run (the job store was down).
 */
export function retryQueueCount(maxAttempts: number): number {
  return Math.max(1, maxAttempts - 1);
}
