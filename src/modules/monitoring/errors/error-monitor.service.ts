import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ErrorObserver, type PipelineErrorContext } from '../../../common/filters/error-observer';
import { normaliseError } from '../../../common/filters/normalise-error';
import { ErrorReporter } from '../apm/error-reporter';
import { ErrorWebhooks } from '../webhooks/error-webhooks.service';
import { httpErrorContext, type HttpErrorContext } from './error-context';
import { isOperatorError, type ErrorReport } from './error-report';
import { errorMetrics } from './errors.metrics';
import { redact } from './redact';

/**
 * How long a pipeline failure waits for the HTTP layer to render the same error (which adds
 * the route). Streams that already started and async jobs never reach it: they are reported
 * when this runs out.
 */
const PIPELINE_GRACE_MS = 100;

type Context = Omit<HttpErrorContext, 'request_id' | 'method'> & {
  request_id: string | null;
  method: string | null;
};

interface PendingPipelineError {
  ctx: PipelineErrorContext;
  timer: NodeJS.Timeout;
}

/**
 * Error monitoring (DESIGN flow 7): every error is logged once with its request id and context
 * (never a body, a prompt or a credential), counted in `gateway_errors_total{code,service,route}`
 * and, when it is the operators' problem (5xx, provider failures), sent to the APM and the
 * error webhooks. Provider-call failures are also in the metrics store: the pipeline writes an
 * error row for each, so nothing more is recorded here.
 *
 * The filter and the pipeline may both see one failure; it is reported once, with what both
 * know (the route from the request, service/model/agent from the pipeline).
 */
@Injectable()
export class ErrorMonitor extends ErrorObserver implements OnModuleDestroy {
  private readonly logger = new Logger('Errors');
  private readonly reported = new WeakSet<object>();
  private readonly pending = new Map<object, PendingPipelineError>();

  constructor(
    private readonly reporter: ErrorReporter,
    private readonly webhooks: ErrorWebhooks,
  ) {
    super();
  }

  onHttpError(error: unknown, req: FastifyRequest): void {
    const http = httpErrorContext(req);
    if (!isObject(error)) return this.report(error, http);
    if (this.reported.has(error)) return;
    const pending = this.pending.get(error);
    if (pending) {
      clearTimeout(pending.timer);
      this.pending.delete(error);
    }
    const p = pending?.ctx;
    this.report(error, {
      ...http,
      org_id: http.org_id ?? p?.org_id ?? null,
      user_id: http.user_id ?? p?.user_id ?? null,
      service: p?.service ?? http.service,
      model: p?.model ?? http.model,
      agent_id: p?.agent_id ?? http.agent_id,
    });
  }

  onPipelineError(error: unknown, ctx: PipelineErrorContext): void {
    if (!isObject(error)) return this.report(error, fromPipeline(ctx));
    if (this.reported.has(error) || this.pending.has(error)) return;
    const timer = setTimeout(() => {
      this.pending.delete(error);
      this.report(error, fromPipeline(ctx));
    }, PIPELINE_GRACE_MS);
    timer.unref();
    this.pending.set(error, { ctx, timer });
  }

  onModuleDestroy(): void {
    for (const [error, p] of this.pending) {
      clearTimeout(p.timer);
      this.report(error, fromPipeline(p.ctx));
    }
    this.pending.clear();
  }

  private report(error: unknown, ctx: Context): void {
    try {
      if (isObject(error)) this.reported.add(error);
      const n = normaliseError(error);
      // 499: the client went away. Nothing failed on our side.
      if (n.status === 499) return;
      const report: ErrorReport = {
        code: n.code,
        status: n.status,
        message: n.message,
        request_id: ctx.request_id,
        method: ctx.method,
        route: ctx.route,
        org_id: ctx.org_id,
        user_id: ctx.user_id,
        service: ctx.service ?? providerServiceOf(error),
        model: ctx.model,
        agent_id: ctx.agent_id,
        time: new Date(),
      };
      errorMetrics.errors.inc({
        code: report.code,
        service: report.service ?? 'none',
        route: report.route,
      });
      this.log(error, report);
      if (isOperatorError(report.status, error)) {
        this.reporter.captureError(error, report);
        void this.webhooks.notify(report);
      }
    } catch (e) {
      // Monitoring must never turn one error into two.
      this.logger.error(`Error monitoring failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private log(error: unknown, r: ErrorReport): void {
    const fields = {
      request_id: r.request_id,
      code: r.code,
      status: r.status,
      route: r.route,
      method: r.method,
      org_id: r.org_id,
      user_id: r.user_id,
      service: r.service,
      model: r.model,
      agent_id: r.agent_id,
    };
    const where = r.method ? `${r.method} ${r.route}` : r.route;
    if (r.status >= 500) {
      this.logger.error(
        { ...fields, error: describe(error) },
        `${where} failed with ${r.status} ${r.code}: ${redact(r.message)}`,
      );
    } else {
      this.logger.warn(fields, `${where} answered ${r.status} ${r.code}: ${redact(r.message)}`);
    }
  }
}

function fromPipeline(ctx: PipelineErrorContext): Context {
  return {
    request_id: ctx.request_id,
    method: null,
    route: 'pipeline',
    org_id: ctx.org_id,
    user_id: ctx.user_id,
    service: ctx.service,
    model: ctx.model,
    agent_id: ctx.agent_id ?? null,
  };
}

function isObject(v: unknown): v is object {
  return (typeof v === 'object' && v !== null) || typeof v === 'function';
}

/** Provider errors name their service (ProviderError.service). */
function providerServiceOf(error: unknown): string | null {
  const s = (error as { service?: unknown } | null)?.service;
  return typeof s === 'string' ? s : null;
}

/** The server-side view of an error for the log: type, message and stack, secrets blanked. */
function describe(error: unknown): Record<string, string> {
  if (!(error instanceof Error)) return { type: typeof error, message: redact(String(error)) };
  return {
    type: error.name,
    message: redact(error.message),
    ...(error.stack ? { stack: redact(error.stack) } : {}),
  };
}
