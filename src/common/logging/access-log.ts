import type { FastifyInstance } from 'fastify';
import type { Logger as Pino } from 'pino';

/** Health probes and scrapes are frequent and carry nothing worth a log line. */
const QUIET = /^\/(health|metrics)/;

/**
 * The access log: one line per request when its response is finished, with the fields and
 * levels pino-http used (`request completed` at info, warn for 4xx; `request errored` at
 * error for 5xx), written from a Fastify hook rather than a per-request middleware (see
 * logger.module.ts for why). Streams are logged too: the hook listens to the raw response.
 * `logger` is read per request because nestjs-pino creates its root logger during boot.
 */
export function registerAccessLog(fastify: FastifyInstance, logger: () => Pino | undefined): void {
  // The line holds only id, method, URL, status and time, none of them a redaction path, so it
  // skips the app logger's wildcard redaction pass (most of a line's cost: ~15 µs against ~4 µs
  // without it) through a child without one. Kept per root logger: the root is replaced once
  // during boot.
  let root: Pino | undefined;
  let unredacted: Pino | undefined;
  fastify.addHook('onResponse', (req, reply, done) => {
    const current = logger();
    if (current !== root) {
      root = current;
      unredacted = current?.child({}, { redact: { paths: [] } });
    }
    const log = unredacted;
    if (log && !QUIET.test(req.url)) {
      const status = reply.statusCode;
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      if (log.isLevelEnabled(level)) {
        log[level](
          {
            req: { id: req.id, method: req.method, url: req.url },
            // The raw response: pino's standard serializer (under ours) reads it.
            res: reply.raw,
            responseTime: Math.round(reply.elapsedTime),
          },
          status >= 500 ? 'request errored' : 'request completed',
        );
      }
    }
    done();
  });
}
