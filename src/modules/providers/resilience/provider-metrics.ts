import { counter, gauge, histogram } from '../../../common/metrics/prom';

/** Prometheus series owned by the providers module (get-or-create: safe across test apps). */
export const providerMetrics = {
  attempts: counter(
    'gateway_provider_attempts_total',
    'Upstream provider calls by outcome (each retry and fallback is one attempt)',
    ['service', 'model', 'outcome'],
  ),
  latency: histogram(
    'gateway_provider_latency_seconds',
    'Duration of one upstream provider call (whole stream for streamed calls)',
    ['service', 'model', 'outcome'],
  ),
  firstEvent: histogram(
    'gateway_provider_first_event_seconds',
    'Time from sending a streamed call to its first event',
    ['service', 'model'],
  ),
  circuitState: gauge(
    'gateway_provider_circuit_state',
    'Circuit breaker state per service and key (0 closed, 1 half-open, 2 open)',
    ['service', 'key'],
  ),
  tokens: counter('gateway_provider_tokens_total', 'Tokens reported by providers', [
    'service',
    'model',
    'kind',
  ]),
};
