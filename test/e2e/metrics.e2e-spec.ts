import { rmSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { MetricsRecorder, type UsageRow } from '../../src/modules/metrics';
import { authHeaders, signToken, startTestApp, TestApp } from '../support/test-app';

/** Unique per run so the assertions never see another test's rows. */
const ORG_A = `org-metrics-a-${process.pid}`;
const ORG_B = `org-metrics-b-${process.pid}`;

const at = (iso: string) => new Date(iso);

function usage(overrides: Partial<UsageRow>): UsageRow {
  return {
    time: at('2025-01-01T10:00:00Z'),
    org_id: ORG_A,
    user_id: 'user-1',
    service: 'openai',
    model: 'gpt-4o-mini',
    input_tokens: 10,
    output_tokens: 5,
    cached_tokens: 0,
    cost_usd: 0.001,
    latency_ms: 100,
    status: 'success',
    cached: false,
    ...overrides,
  };
}

/** Hour 10: four openai calls (one error, one cache hit, one unpriced); hour 11: two anthropic calls. */
const ORG_A_ROWS: UsageRow[] = [
  usage({ time: at('2025-01-01T10:01:00Z'), latency_ms: 100, agent_id: 'agt-1' }),
  usage({ time: at('2025-01-01T10:15:00Z'), latency_ms: 200, agent_id: 'agt-1', cached: true }),
  usage({
    time: at('2025-01-01T10:30:00Z'),
    latency_ms: 300,
    status: 'error',
    error_code: 'PROVIDER_TIMEOUT',
    user_id: 'user-2',
  }),
  usage({ time: at('2025-01-01T10:59:59Z'), latency_ms: 400, cost_usd: null }),
  usage({
    time: at('2025-01-01T11:05:00Z'),
    service: 'anthropic',
    model: 'claude-sonnet-4-5',
    input_tokens: 100,
    output_tokens: 50,
    cached_tokens: 20,
    cost_usd: 0.01,
    latency_ms: 1000,
  }),
  usage({
    time: at('2025-01-01T11:10:00Z'),
    service: 'anthropic',
    model: 'claude-sonnet-4-5',
    input_tokens: 100,
    output_tokens: 50,
    cost_usd: 0.02,
    latency_ms: 3000,
  }),
  // Outside the queried range: must not be counted.
  usage({ time: at('2025-01-01T12:00:00Z'), latency_ms: 9999 }),
];

const ORG_B_ROWS: UsageRow[] = [
  usage({ org_id: ORG_B, time: at('2025-01-01T10:20:00Z'), latency_ms: 50, model: 'gpt-4o' }),
];

const RANGE = 'from=2025-01-01T10:00:00Z&to=2025-01-01T12:00:00Z';

interface Bucket {
  bucket_start: string;
  group: string | null;
  requests: number;
  latency_p50_ms: number;
}
interface ReportBody {
  success: boolean;
  data: {
    from: string;
    to: string;
    interval: string;
    group_by: string | null;
    buckets: Bucket[];
  };
}
interface ErrorBody {
  success: boolean;
  error: { code: string; message: string; details: Array<{ field: string }> };
}
interface OpenApiDoc {
  paths: Record<
    string,
    {
      get: {
        parameters: Array<{ name: string }>;
        security: unknown[];
        responses: Record<string, { content: Record<string, { schema: { $ref: string } }> }>;
      };
    }
  >;
}

const json = async <T>(res: Response | Promise<Response>): Promise<T> =>
  (await (await res).json()) as T;
const report = (res: Response | Promise<Response>) => json<ReportBody>(res);

describe('Usage metrics (embedded PGlite, real HTTP)', () => {
  let t: TestApp;
  const tokenA = signToken({ org_id: ORG_A });
  const tokenB = signToken({ org_id: ORG_B });

  const get = (query: string, token = tokenA) =>
    fetch(`${t.url}/api/v1/metrics/usage?${query}`, { headers: authHeaders(token) });

  beforeAll(async () => {
    t = await startTestApp();
    const recorder = t.app.get(MetricsRecorder);
    for (const row of [...ORG_A_ROWS, ...ORG_B_ROWS]) recorder.record(row);
    const result = await recorder.flush();
    expect(result).toMatchObject({ failed: false, remaining: 0 });
    expect(result.written).toBe(ORG_A_ROWS.length + ORG_B_ROWS.length);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('keeps the entity and the migration in step (no pending schema change)', async () => {
    const pending = await t.app.get(DataSource).driver.createSchemaBuilder().log();
    const ours = pending.upQueries.filter((q) => q.query.includes('usage_metrics'));
    expect(ours).toEqual([]);
  });

  it('aggregates per bucket and model: requests, tokens, cost, error rate, cache hits, p50/p95', async () => {
    const res = await get(`${RANGE}&interval=1%20hour&group_by=model`);
    expect(res.status).toBe(200);
    const body = await report(res);
    expect(body.success).toBe(true);
    expect(body.data).toMatchObject({
      from: '2025-01-01T10:00:00.000Z',
      to: '2025-01-01T12:00:00.000Z',
      interval: '1 hour',
      group_by: 'model',
    });
    expect(body.data.buckets).toEqual([
      {
        bucket_start: '2025-01-01T10:00:00.000Z',
        group: 'openai/gpt-4o-mini',
        requests: 4,
        errors: 1,
        error_rate: 0.25,
        cached: 1,
        input_tokens: 40,
        output_tokens: 20,
        total_tokens: 60,
        cached_tokens: 0,
        cost_usd: expect.closeTo(0.003, 10),
        // percentile_cont over 100, 200, 300, 400: median 250; p95 = 300 + 0.85 * 100.
        latency_p50_ms: 250,
        latency_p95_ms: expect.closeTo(385, 6),
      },
      {
        bucket_start: '2025-01-01T11:00:00.000Z',
        group: 'anthropic/claude-sonnet-4-5',
        requests: 2,
        errors: 0,
        error_rate: 0,
        cached: 0,
        input_tokens: 200,
        output_tokens: 100,
        total_tokens: 300,
        cached_tokens: 20,
        cost_usd: expect.closeTo(0.03, 10),
        latency_p50_ms: 2000,
        latency_p95_ms: expect.closeTo(2900, 6),
      },
    ]);
  });

  it('defaults to no grouping: one total per bucket', async () => {
    const body = await report(get(RANGE));
    expect(body.data.group_by).toBeNull();
    expect(body.data.interval).toBe('1 hour');
    expect(body.data.buckets.map((b) => [b.group, b.requests])).toEqual([
      [null, 4],
      [null, 2],
    ]);
  });

  it('groups by agent (null for calls without one), service and user', async () => {
    const byAgent = (await report(get(`${RANGE}&group_by=agent`))).data.buckets;
    expect(byAgent.map((b) => [b.group, b.requests])).toEqual([
      [null, 2],
      ['agt-1', 2],
      [null, 2],
    ]);
    const byService = (await report(get(`${RANGE}&group_by=service&interval=1d`))).data;
    expect(byService.interval).toBe('1 day');
    expect(byService.buckets.map((b) => b.group)).toEqual(['anthropic', 'openai']);
    const byUser = (await report(get(`${RANGE}&group_by=user&interval=1d`))).data.buckets;
    expect(byUser.map((b) => [b.group, b.requests])).toEqual([
      ['user-1', 5],
      ['user-2', 1],
    ]);
  });

  it('buckets by minute, aligned to the minute', async () => {
    const body = await report(
      get('from=2025-01-01T10:00:00Z&to=2025-01-01T10:20:00Z&interval=5%20minutes'),
    );
    expect(body.data.buckets.map((b) => b.bucket_start)).toEqual([
      '2025-01-01T10:00:00.000Z',
      '2025-01-01T10:15:00.000Z',
    ]);
  });

  it('accepts zone offsets (a + percent-encoded) and reports the range in UTC', async () => {
    const body = await report(
      get('from=2025-01-01T12:00:00%2B02:00&to=2025-01-01T13:00:00%2B02:00'),
    );
    expect(body.data.from).toBe('2025-01-01T10:00:00.000Z');
    expect(body.data.to).toBe('2025-01-01T11:00:00.000Z');
    expect(body.data.buckets).toEqual([expect.objectContaining({ requests: 4 })]);
  });

  it("shows an org only its own usage; another org's token sees nothing of it", async () => {
    const b = (await report(get(`${RANGE}&group_by=model`, tokenB))).data.buckets;
    expect(b).toEqual([
      expect.objectContaining({ group: 'openai/gpt-4o', requests: 1, latency_p50_ms: 50 }),
    ]);
    const stranger = signToken({ org_id: `org-nobody-${process.pid}` });
    const none = await report(get(RANGE, stranger));
    expect(none.data.buckets).toEqual([]);
  });

  it('defaults to the last 24 hours, where these old rows are not', async () => {
    const res = await get('');
    expect(res.status).toBe(200);
    const body = await report(res);
    const span = Date.parse(body.data.to) - Date.parse(body.data.from);
    expect(span).toBe(24 * 3600 * 1000);
    expect(body.data.buckets).toEqual([]);
  });

  it.each([
    ['from=yesterday', 'from'],
    ['from=2025-01-01T10:00:00', 'from'], // no zone: ambiguous
    ['to=2025-02-30T00:00:00Z', 'to'],
    ['from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z', 'from'],
    ['interval=2%20hours', 'interval'],
    ['group_by=team', 'group_by'],
    ['from=2025-01-01T00:00:00Z&to=2025-01-03T00:00:00Z&interval=1m', 'interval'],
    ['surprise=1', 'surprise'],
  ])('answers 400 naming the parameter for %s', async (query, param) => {
    const res = await get(query);
    expect(res.status).toBe(400);
    const body = await json<ErrorBody>(res);
    expect(body.success).toBe(false);
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.message).toContain(param);
    expect(body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: param })]),
    );
  });

  it('requires credentials', async () => {
    const res = await fetch(`${t.url}/api/v1/metrics/usage`);
    expect(res.status).toBe(401);
    expect((await json<ErrorBody>(res)).error.code).toBe('UNAUTHENTICATED');
  });

  it('is documented in Swagger with its query parameters', async () => {
    const doc = await json<OpenApiDoc>(fetch(`${t.url}/docs-json`));
    const op = doc.paths['/api/v1/metrics/usage'].get;
    expect(op.parameters.map((p: { name: string }) => p.name).sort()).toEqual([
      'from',
      'group_by',
      'interval',
      'to',
    ]);
    expect(op.security).toEqual(expect.arrayContaining([{ bearer: [] }]));
    expect(op.responses['200'].content['application/json'].schema.$ref).toContain(
      'UsageReportResponseDto',
    );
  });

  it('reports the buffer in Prometheus metrics', async () => {
    const text = await (await fetch(`${t.url}/metrics`)).text();
    expect(text).toMatch(/gateway_metrics_rows_flushed_total \d+/);
    expect(text).toContain('gateway_metrics_buffer_rows');
    expect(text).toContain('# TYPE gateway_metrics_rows_dropped_total counter');
  });
});

describe('Usage metrics across a restart (embedded PGlite)', () => {
  it('flushes on shutdown, including rows recorded by requests that finish during it', async () => {
    const org = `org-metrics-restart-${process.pid}`;
    const first = await startTestApp();
    const recorder = first.app.get(MetricsRecorder);
    recorder.record(usage({ org_id: org, time: at('2025-01-01T10:00:00Z') }));
    recorder.record(usage({ org_id: org, time: at('2025-01-01T10:30:00Z') }));
    // Still only in memory: the flush interval has not passed.
    expect(recorder.stats().buffered).toBe(2);
    // A request still in flight when shutdown starts records its row after the first flush;
    // the flush when the HTTP server has drained must still save it.
    const flushBeforeShutdown = recorder.beforeApplicationShutdown.bind(recorder);
    jest.spyOn(recorder, 'beforeApplicationShutdown').mockImplementation(async () => {
      await flushBeforeShutdown();
      recorder.record(usage({ org_id: org, time: at('2025-01-01T10:45:00Z') }));
    });
    await first.close({ keepData: true });

    const second = await startTestApp({ DATA_DIR: first.dataDir });
    try {
      const res = await fetch(`${second.url}/api/v1/metrics/usage?${RANGE}`, {
        headers: authHeaders(signToken({ org_id: org })),
      });
      const body = await report(res);
      expect(body.data.buckets).toEqual([expect.objectContaining({ requests: 3 })]);
    } finally {
      await second.close();
      rmSync(first.dataDir, { recursive: true, force: true });
    }
  });
});
