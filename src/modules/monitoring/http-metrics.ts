import type { FastifyInstance } from 'fastify';
import { counter, histogram } from '../../common/metrics/prom';

interface Series {
  count: { inc: () => void };
  latency: { observe: (seconds: number) => void };
}

/**
 * HTTP request counts and latency by route pattern (never the raw URL: ids would explode the
 * label set) and status. A Fastify hook rather than an interceptor, so 404s, auth failures and
 * body-parser errors are counted too.
 */
export function registerHttpMetrics(fastify: FastifyInstance): void {
  const requests = counter('gateway_http_requests_total', 'HTTP requests by route and status', [
    'method',
    'route',
    'status',
  ]);
  const duration = histogram(
    'gateway_http_request_duration_seconds',
    'HTTP request latency by route and status',
    ['method', 'route', 'status'],
  );
  // The bound children per label set, so a request does not hash its labels twice; the set is
  // small and bounded (methods x route patterns x statuses).
  const series = new Map<string, Series>();
  fastify.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    const key = `${req.method} ${status} ${route}`;
    let s = series.get(key);
    if (!s) {
      const labels = { method: req.method, route, status: String(status) };
      s = { count: requests.labels(labels), latency: duration.labels(labels) };
      series.set(key, s);
    }
    s.count.inc();
    s.latency.observe(reply.elapsedTime / 1000);
    done();
  });
}
