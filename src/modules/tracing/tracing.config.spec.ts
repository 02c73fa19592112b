import { parseAppEnv } from '../../app.env';
import { ConfigValidationError } from '../../config';
import { parseKeyValues, tracingSettings } from './tracing.config';

const settings = (env: Record<string, string>) =>
  tracingSettings(parseAppEnv({ JWT_SECRET: 'x'.repeat(32), ...env }));

describe('tracing settings', () => {
  it('is off without an endpoint', () => {
    expect(settings({})).toMatchObject({
      enabled: false,
      tracesUrl: undefined,
      metricsUrl: undefined,
    });
  });

  it('derives both signal URLs from the base endpoint', () => {
    expect(settings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toMatchObject({
      enabled: true,
      tracesUrl: 'http://collector:4318/v1/traces',
      metricsUrl: 'http://collector:4318/v1/metrics',
      serviceName: 'ai-middleware',
      captureContent: false,
    });
  });

  it('uses signal endpoints as given; a traces endpoint alone enables spans without metrics', () => {
    expect(
      settings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://otlp.example/custom/traces' }),
    ).toMatchObject({
      enabled: true,
      tracesUrl: 'https://otlp.example/custom/traces',
      metricsUrl: undefined,
    });
  });

  it('stays off when OTEL_SDK_DISABLED is set, endpoint or not', () => {
    expect(
      settings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }).enabled,
    ).toBe(false);
  });

  it('merges common and per-signal headers, URL-decoded', () => {
    const s = settings({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc,x-team=a',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-team=b',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod',
      OTEL_SERVICE_NAME: 'gw-eu',
      OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true',
    });
    expect(s.tracesHeaders).toEqual({ authorization: 'Bearer abc', 'x-team': 'b' });
    expect(s.metricsHeaders).toEqual({ authorization: 'Bearer abc', 'x-team': 'a' });
    expect(s.resourceAttributes).toEqual({ 'deployment.environment': 'prod' });
    expect(s.serviceName).toBe('gw-eu');
    expect(s.captureContent).toBe(true);
  });

  it('refuses a protocol other than http/json and malformed headers, one line each', () => {
    let problems: string[] = [];
    try {
      settings({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://c:4317',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_HEADERS: 'no-equals-sign',
      });
    } catch (e) {
      if (!(e instanceof ConfigValidationError)) throw e;
      problems = e.problems;
    }
    expect(problems).toEqual([
      expect.stringMatching(/^OTEL_EXPORTER_OTLP_ENDPOINT: must be a URL starting with http/),
      expect.stringMatching(/^OTEL_EXPORTER_OTLP_HEADERS: must be comma-separated key=value/),
      expect.stringMatching(/^OTEL_EXPORTER_OTLP_PROTOCOL: only http\/json is supported/),
    ]);
  });

  it('parses key=value lists', () => {
    expect(parseKeyValues('a=1, b = x%2Cy ,')).toEqual({ a: '1', b: 'x,y' });
    expect(parseKeyValues('=1')).toBeUndefined();
    expect(parseKeyValues('a=%E0%A4%A')).toBeUndefined();
  });
});
