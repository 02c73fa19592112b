import { ArgumentsHost, Catch, ExceptionFilter, Logger, Optional } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBodyFor } from './error-envelope';
import { ErrorObserver } from './error-observer';
import { normaliseError } from './normalise-error';

/**
 * The one place errors become responses: DESIGN's envelope everywhere, OpenAI's shape on /v1.
 * Logging, counting and reporting belong to the ErrorObserver (the monitoring module); without
 * one, 5xx are still logged with their stack (server side only).
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(@Optional() private readonly observer?: ErrorObserver) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const err = normaliseError(exception);

    if (this.observer) {
      this.observer.onHttpError(exception, req);
    } else if (err.status >= 500) {
      this.logger.error(
        { err: exception, request_id: req.id, code: err.code },
        `${req.method} ${req.url} failed with ${err.status}`,
      );
    }
    if (reply.sent || reply.raw.headersSent) {
      // A stream already started: the status line is gone, so end the connection instead.
      reply.raw.destroy();
      return;
    }
    if (err.headers) void reply.headers(err.headers);
    void reply
      .status(err.status)
      .header('content-type', 'application/json; charset=utf-8')
      .send(errorBodyFor(req.url, err, String(req.id)));
  }
}
