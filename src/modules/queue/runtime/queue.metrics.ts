import { Gauge } from 'prom-client';
import { counter, gauge, histogram, metricsRegistry } from '../../../common/metrics/prom';

/**
 * Sources of queue depth, one per running app. The depth gauge asks them at scrape time, so
 * /metrics shows the broker's current numbers without a polling timer; several apps in one
 * process (tests) each add and remove their own.
 */
export type DepthSource = () => Promise<void>;
const depthSources = new Set<DepthSource>();

export function addDepthSource(source: DepthSource): () => void {
  depthSources.add(source);
  return () => depthSources.delete(source);
}

function depthGauge(): Gauge<'type' | 'queue'> {
  const name = 'gateway_queue_depth';
  const existing = metricsRegistry.getSingleMetric(name) as Gauge<'type' | 'queue'> | undefined;
  return (
    existing ??
    new Gauge<'type' | 'queue'>({
      name,
      help: 'Messages waiting, by job type and queue (work, retry, dead)',
      labelNames: ['type', 'queue'],
      async collect() {
        await Promise.allSettled([...depthSources].map((s) => s()));
      },
    })
  );
}

/** Prometheus metrics of the queue (process-wide, labelled by job type). */
export const queueMetrics = {
  depth: depthGauge(),
  inFlight: gauge('gateway_queue_in_flight', 'Jobs running now in this instance', ['type']),
  jobs: counter(
    'gateway_queue_jobs_total',
    'Job deliveries by outcome (completed, failed, retried, dead, duplicate)',
    ['type', 'outcome'],
  ),
  retries: counter('gateway_queue_retries_total', 'Job runs that failed and were scheduled again', [
    'type',
  ]),
  deadLetters: counter(
    'gateway_queue_dead_letters_total',
    'Messages moved to a dead-letter queue, by reason',
    ['type', 'reason'],
  ),
  published: counter('gateway_queue_published_total', 'Enqueue attempts by result', [
    'type',
    'result',
  ]),
  duration: histogram('gateway_queue_job_duration_seconds', 'Job run time', ['type']),
  webhooks: counter('gateway_webhook_deliveries_total', 'Webhook POSTs by result', ['result']),
  brokerUp: gauge('gateway_queue_broker_connected', '1 while the queue transport can publish', [
    'transport',
  ]),
};
