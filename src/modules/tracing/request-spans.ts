import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { Telemetry } from './telemetry';

const SPAN = Symbol('requestSpan');

type WithSpan = FastifyRequest & { [SPAN]?: Span };

/**
 * One SERVER span per HTTP request, named `{method} {route pattern}` (never the raw URL), that
 * continues the caller's trace when it sends a W3C `traceparent`. Fastify hooks, so requests
 * refused before a controller (401, 429, 404) are spans too; the span ends when the response
 * is closed, which for a stream is after its last event. Registered only when tracing is on.
 */
@Injectable()
export class RequestSpans implements OnModuleInit {
  constructor(
    private readonly telemetry: Telemetry,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    if (!this.telemetry.enabled) return;
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    fastify.addHook('onRequest', (req, reply, done) => {
      const route = req.routeOptions.url;
      const span = this.telemetry.tracer.startSpan(
        route ? `${req.method} ${route}` : req.method,
        {
          kind: SpanKind.SERVER,
          attributes: {
            [ATTR_HTTP_REQUEST_METHOD]: req.method,
            [ATTR_URL_SCHEME]: req.protocol,
            ...(route ? { [ATTR_HTTP_ROUTE]: route } : {}),
          },
        },
        this.telemetry.extract(req.headers),
      );
      (req as WithSpan)[SPAN] = span;
      // 'close' fires once however the response ends: sent, streamed to the end, or cut off.
      reply.raw.once('close', () => {
        const status = reply.raw.statusCode;
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
        if (status >= 500) {
          span.setAttribute(ATTR_ERROR_TYPE, String(status));
          span.setStatus({ code: SpanStatusCode.ERROR });
        } else if (!reply.raw.writableFinished) {
          // The client went away before the answer was complete; not an error of ours.
          span.setAttribute('gateway.client_aborted', true);
        }
        span.end();
      });
      done();
    });
  }
}

/**
 * Makes the request span the parent of the spans started while a controller runs (the provider
 * calls). Nest binds the handler's async context where `next.handle()` is called, so the span
 * stays active across every await of the handler, streams included. A no-op when tracing is off.
 */
@Injectable()
export class RequestSpanContext implements NestInterceptor {
  constructor(private readonly telemetry: Telemetry) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.telemetry.enabled || ctx.getType() !== 'http') return next.handle();
    const span = ctx.switchToHttp().getRequest<WithSpan>()[SPAN];
    return span ? this.telemetry.runInSpan(span, () => next.handle()) : next.handle();
  }
}
