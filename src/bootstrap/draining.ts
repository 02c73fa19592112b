import type { FastifyInstance } from 'fastify';
import { ErrorCode } from '../common/errors';
import { errorBodyFor, type NormalisedError } from '../common/filters/error-envelope';

/** Another instance can take the request at once; a second is plenty. */
const RETRY_AFTER_SECONDS = 1;

const DRAINING: NormalisedError = {
  status: 503,
  code: ErrorCode.SERVICE_UNAVAILABLE,
  message: 'The gateway is shutting down; retry the request',
  headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
};

/**
 * Once shutdown has begun (SIGTERM: `isDraining()`; or the server is closing), a new request,
 * typically on a kept-alive connection, gets the error envelope (OpenAI's shape on /v1) with
 * Retry-After and `connection: close`, instead of being served by a process that is going away
 * or getting Fastify's bare 503. Health and metrics still answer: readiness says "draining".
 * Requests already in flight finish normally.
 */
export function rejectWhileDraining(fastify: FastifyInstance, isDraining: () => boolean): void {
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onRequest', (req, reply, done) => {
    if ((!closing && !isDraining()) || req.url.startsWith('/health/') || req.url === '/metrics') {
      done();
      return;
    }
    const body = errorBodyFor(req.url, DRAINING, String(req.id));
    void reply
      .code(503)
      .headers({ ...DRAINING.headers, connection: 'close' })
      .header('content-type', 'application/json; charset=utf-8')
      .send(body);
  });
}
