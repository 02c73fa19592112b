import type { ConfigType } from '@nestjs/config';
import type { Meter, Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { tracingConfig } from './tracing.config';

const SCOPE = 'ai-middleware';

/**
 * The OpenTelemetry SDK parts one app owns. This file is required only when tracing is on
 * (see Telemetry), so the SDK is never loaded by a gateway that does not export.
 */
export interface OtelSdk {
  tracerProvider: BasicTracerProvider;
  meterProvider?: MeterProvider;
  tracer: Tracer;
  meter?: Meter;
  propagator: W3CTraceContextPropagator;
}

export function startSdk(cfg: ConfigType<typeof tracingConfig>): OtelSdk {
  const resource = resourceFromAttributes({
    ...cfg.resourceAttributes,
    [ATTR_SERVICE_NAME]: cfg.serviceName,
  });
  const tracerProvider = new BasicTracerProvider({
    resource,
    spanProcessors: [
      new BatchSpanProcessor(
        new OTLPTraceExporter({ url: cfg.tracesUrl, headers: cfg.tracesHeaders }),
      ),
    ],
  });
  const meterProvider = cfg.metricsUrl
    ? new MeterProvider({
        resource,
        readers: [
          new PeriodicExportingMetricReader({
            exporter: new OTLPMetricExporter({ url: cfg.metricsUrl, headers: cfg.metricsHeaders }),
            exportIntervalMillis: cfg.metricIntervalMs,
            exportTimeoutMillis: Math.min(30_000, cfg.metricIntervalMs),
          }),
        ],
      })
    : undefined;
  return {
    tracerProvider,
    meterProvider,
    tracer: tracerProvider.getTracer(SCOPE),
    meter: meterProvider?.getMeter(SCOPE),
    propagator: new W3CTraceContextPropagator(),
  };
}
