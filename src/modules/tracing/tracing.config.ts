import { z } from 'zod';
import { bool, envNamespace, httpUrl, int, optionalString } from '../../config';

/** `k1=v1,k2=v2` with URL-encoded values (the OTLP exporters' header and resource syntax). */
const keyValueList = optionalString.refine(
  (v) => v === undefined || parseKeyValues(v) !== undefined,
  {
    message: 'must be comma-separated key=value pairs (values URL-encoded)',
  },
);

/**
 * The tracing keys: the OpenTelemetry SDK's standard variable names, so an operator's usual
 * OTLP settings work unchanged. Only OTLP over HTTP with JSON bodies is spoken (no protobuf
 * or gRPC dependency), so any other protocol stops the boot rather than failing at export time.
 */
export const tracingEnvFields = {
  /** Base URL of an OTLP/HTTP receiver; `/v1/traces` and `/v1/metrics` are appended. Unset: tracing is off. */
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl,
  /** Full URL for spans (used as given); enables tracing on its own too. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl,
  /** Full URL for metrics (used as given); without it or the base endpoint no metrics are exported. */
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: httpUrl,
  OTEL_EXPORTER_OTLP_HEADERS: keyValueList,
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: keyValueList,
  OTEL_EXPORTER_OTLP_METRICS_HEADERS: keyValueList,
  OTEL_EXPORTER_OTLP_PROTOCOL: optionalString.refine((v) => v === undefined || v === 'http/json', {
    message: 'only http/json is supported (OTLP over HTTP with JSON bodies)',
  }),
  OTEL_SERVICE_NAME: optionalString.transform((v) => v ?? 'ai-middleware'),
  OTEL_RESOURCE_ATTRIBUTES: keyValueList,
  /** Turns tracing off even with an endpoint set. */
  OTEL_SDK_DISABLED: bool(false),
  /** How often metrics are pushed, in ms. */
  OTEL_METRIC_EXPORT_INTERVAL: int(60_000, 100, 3_600_000),
  /**
   * Record prompts and completions on the provider-call spans (`gen_ai.input.messages`,
   * `gen_ai.output.messages`). Off by default: they are the tenants' data.
   */
  OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: bool(false),
};

export type TracingEnv = z.infer<z.ZodObject<typeof tracingEnvFields>>;

/** What the tracing module runs with; `enabled` false means no SDK is constructed at all. */
export interface TracingSettings {
  enabled: boolean;
  tracesUrl?: string;
  metricsUrl?: string;
  tracesHeaders: Record<string, string>;
  metricsHeaders: Record<string, string>;
  serviceName: string;
  resourceAttributes: Record<string, string>;
  metricIntervalMs: number;
  captureContent: boolean;
}

const signalUrl = (base: string | undefined, signal: string) =>
  base === undefined ? undefined : `${base.replace(/\/+$/, '')}/v1/${signal}`;

export function tracingSettings(env: TracingEnv): TracingSettings {
  const tracesUrl =
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? signalUrl(env.OTEL_EXPORTER_OTLP_ENDPOINT, 'traces');
  const metricsUrl =
    env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT ??
    signalUrl(env.OTEL_EXPORTER_OTLP_ENDPOINT, 'metrics');
  const common = parseKeyValues(env.OTEL_EXPORTER_OTLP_HEADERS ?? '') ?? {};
  return {
    enabled: !env.OTEL_SDK_DISABLED && tracesUrl !== undefined,
    tracesUrl,
    metricsUrl,
    tracesHeaders: { ...common, ...parseKeyValues(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS ?? '') },
    metricsHeaders: { ...common, ...parseKeyValues(env.OTEL_EXPORTER_OTLP_METRICS_HEADERS ?? '') },
    serviceName: env.OTEL_SERVICE_NAME,
    resourceAttributes: parseKeyValues(env.OTEL_RESOURCE_ATTRIBUTES ?? '') ?? {},
    metricIntervalMs: env.OTEL_METRIC_EXPORT_INTERVAL,
    captureContent: env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT,
  };
}

/** The tracing namespace, built from the app's validated environment. */
export const tracingConfig = envNamespace('tracing', (env: TracingEnv) => tracingSettings(env));

/** `a=1,b=x%20y` -> {a: '1', b: 'x y'}; undefined when malformed. */
export function parseKeyValues(text: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const pair of text.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) return undefined;
    const key = pair.slice(0, eq).trim();
    try {
      out[key] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
    if (key === '') return undefined;
  }
  return out;
}
