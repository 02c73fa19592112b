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
  // Circuits exist per key and per org: their labels say which service and which level only,
  // never a key fingerprint or an org (no tenant data on /metrics, bounded cardinality).
  circuitsNotClosed: gauge(
    'gateway_provider_circuits_open',
    'Circuits currently open or half-open, by service and scope (shared per key, or one org view)',
    ['service', 'scope'],
  ),
  circuitTransitions: counter(
    'gateway_provider_circuit_transitions_total',
    'Circuit state changes by service, scope and new state',
    ['service', 'scope', 'to'],
  ),
  tokens: counter('gateway_provider_tokens_total', 'Tokens reported by providers', [
    'service',
    'model',
    'kind',
  ]),
};

/**
 * Per-key series. `key_name` is a deployment key's name (or its 1-based position in the pool,
 * `key1`, `key2`…: never anything derived from the key itself), `org` for
 * every org-owned key together (org keys belong to tenants: no tenant data on /metrics),
 * `default` for a service's single unnamed key. Bounded: the deployment's keys are few.
 */
export const keyMetrics = {
  calls: counter(
    'gateway_provider_key_calls_total',
    'Upstream provider calls per deployment key, by outcome',
    ['service', 'key_name', 'outcome'],
  ),
  cooldowns: counter(
    'gateway_provider_key_cooldowns_total',
    'Times a provider key was cooled down after a key-specific failure (401/403, 429, 5xx, connection)',
    ['service', 'key_name'],
  ),
};
