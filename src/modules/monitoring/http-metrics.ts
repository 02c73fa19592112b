import type { FastifyInstance } from 'fastify';
import { counter, histogram } from '../../common/metrics/prom';

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
  fastify.addHook('onResponse', (req, reply, done) => {
    const labels = {
      method: req.method,
      route: req.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
    done();
  });
}
