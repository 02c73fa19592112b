import { AsyncLocalStorage } from 'node:async_hooks';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import {
  type Context,
  type Meter,
  ROOT_CONTEXT,
  type Span,
  type Tracer,
  defaultTextMapGetter,
  trace,
} from '@opentelemetry/api';
import type { OtelSdk } from './otel-sdk';
import { tracingConfig } from './tracing.config';

/**
 * Longest the shutdown flush may take: a collector that swallows packets must not hold the
 * process past its SHUTDOWN_TIMEOUT_MS (what is not out by then is dropped).
 */
const SHUTDOWN_FLUSH_MS = 3000;

/**
 * The app's OpenTelemetry SDK: a tracer provider exporting spans over OTLP/HTTP (JSON), a meter
 * provider exporting metrics the same way, and the active-span context of the request being
 * served. Nothing is constructed, registered or hooked when no endpoint is configured: callers
 * check `enabled` (a field read) and skip everything else.
 *
 * Deliberately not registered as the process-wide OpenTelemetry global: the app's config comes
 * from the env it was built with, and two apps in one process (tests) must not share one
 * exporter. The request context lives in this instance's own AsyncLocalStorage, entered only
 * when tracing is on (on Node 20 an entered AsyncLocalStorage costs every promise a hook).
 */
@Injectable()
export class Telemetry implements OnApplicationShutdown {
  readonly enabled: boolean;
  /** Whether prompts and completions may be recorded on spans. */
  readonly captureContent: boolean;
  private readonly sdk?: OtelSdk;
  private readonly active = new AsyncLocalStorage<Context>();
  private readonly logger = new Logger('Tracing');

  constructor(@Inject(tracingConfig.KEY) cfg: ConfigType<typeof tracingConfig>) {
    this.enabled = cfg.enabled;
    this.captureContent = cfg.enabled && cfg.captureContent;
    if (cfg.enabled && cfg.tracesUrl) {
      // Loaded only here: the SDK and exporters cost ~17 MB of RSS, which a gateway with tracing
      // off (the default) should not pay.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { startSdk } = require('./otel-sdk') as typeof import('./otel-sdk');
      this.sdk = startSdk(cfg);
      this.logger.log(
        `exporting spans to ${displayUrl(cfg.tracesUrl)}` +
          (cfg.metricsUrl ? ` and metrics to ${displayUrl(cfg.metricsUrl)}` : '') +
          (this.captureContent ? ' (message content captured)' : ''),
      );
    }
  }

  /** The tracer; only call when `enabled`. */
  get tracer(): Tracer {
    return this.required().tracer;
  }

  /** The meter, when metrics are exported (an endpoint for them is configured). */
  get meter(): Meter | undefined {
    return this.sdk?.meter;
  }

  /** Whether an SDK was constructed (tests check that none is when tracing is off). */
  get started(): boolean {
    return this.sdk !== undefined;
  }

  /** The context of the span being served (a request span), or the root context. */
  currentContext(): Context {
    return this.active.getStore() ?? ROOT_CONTEXT;
  }

  /** Runs `fn` with `span` as the parent of the spans it starts, across its awaits. */
  runInSpan<T>(span: Span, fn: () => T): T {
    return this.active.run(trace.setSpan(ROOT_CONTEXT, span), fn);
  }

  /** The caller's trace from a W3C `traceparent`/`tracestate` header, or the root context. */
  extract(headers: Record<string, string | string[] | undefined>): Context {
    if (!this.sdk) return ROOT_CONTEXT;
    return this.sdk.propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  }

  /** Exports everything recorded so far (tests; shutdown). */
  async flush(): Promise<void> {
    if (!this.sdk) return;
    await Promise.all([this.sdk.tracerProvider.forceFlush(), this.sdk.meterProvider?.forceFlush()]);
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.sdk) return;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), SHUTDOWN_FLUSH_MS);
      timer.unref();
    });
    try {
      // shutdown() flushes what is buffered first.
      const done = Promise.all([
        this.sdk.tracerProvider.shutdown(),
        this.sdk.meterProvider?.shutdown(),
      ]).then(() => 'done' as const);
      if ((await Promise.race([done, bound])) === 'timeout') {
        this.logger.warn(`telemetry not flushed within ${SHUTDOWN_FLUSH_MS} ms; dropped`);
      }
    } catch (e) {
      this.logger.warn(`could not flush telemetry: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private required(): OtelSdk {
    if (!this.sdk) throw new Error('tracing is off: check Telemetry.enabled first');
    return this.sdk;
  }
}

/** Scheme, host and path: never credentials or a query string in a log line. */
function displayUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}
