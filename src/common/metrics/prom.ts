import { Counter, Gauge, Histogram, register } from 'prom-client';

/**
 * Get-or-create wrappers around prom-client's default registry. Modules declare the metrics
 * they own where they use them; creating the same metric twice (tests booting several apps in
 * one process) returns the existing one instead of throwing.
 */
export function counter<L extends string>(name: string, help: string, labelNames: L[] = []) {
  return (
    (register.getSingleMetric(name) as Counter<L> | undefined) ??
    new Counter<L>({ name, help, labelNames })
  );
}

export function gauge<L extends string>(name: string, help: string, labelNames: L[] = []) {
  return (
    (register.getSingleMetric(name) as Gauge<L> | undefined) ??
    new Gauge<L>({ name, help, labelNames })
  );
}

export function histogram<L extends string>(
  name: string,
  help: string,
  labelNames: L[] = [],
  buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
) {
  return (
    (register.getSingleMetric(name) as Histogram<L> | undefined) ??
    new Histogram<L>({ name, help, labelNames, buckets })
  );
}

export { register as metricsRegistry };
