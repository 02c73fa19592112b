import { counter } from '../../../common/metrics/prom';

/** Error counters (get-or-create: tests boot several apps in one process). */
export const errorMetrics = {
  errors: counter(
    'gateway_errors_total',
    'Errors by code, LLM service ("none" when no provider was involved) and route pattern',
    ['code', 'service', 'route'],
  ),
  webhookEvents: counter(
    'gateway_error_webhook_events_total',
    'Error-webhook events by audience and outcome (queued, suppressed, enqueue_failed, delivered, failed)',
    ['audience', 'result'],
  ),
};
