import { counter } from '../../../common/metrics/prom';

/** Prometheus series of the config watcher (get-or-create: tests boot several apps). */
export const watcherMetrics = {
  changes: counter(
    'gateway_config_changes_total',
    'Stored-configuration changes applied to the in-memory caches, by kind and origin',
    ['kind', 'origin'],
  ),
  resyncs: counter(
    'gateway_config_resyncs_total',
    'Times every config cache was dropped because changes may have been missed',
  ),
  failures: counter(
    'gateway_config_watcher_failures_total',
    'Config watcher failures (lost connection, failed poll), by mode',
    ['mode'],
  ),
};
