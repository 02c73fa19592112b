import { DataSource } from 'typeorm';
import { metricsRegistry } from '../../src/common/metrics/prom';
import { MetricsRecorder, type UsageRow } from '../../src/modules/metrics';
import { TcpRelay } from '../live-config/tcp-relay';
import { describeWithServices, SERVICE_URLS } from '../support/services';
import { authHeaders, signToken, startTestApp, TestApp } from '../support/test-app';

/** Reads a sample straight from the process-wide registry (valid after the app closed). */
async function registryValue(sample: string): Promise<number> {
  const name = sample.split('{')[0];
  const text = await metricsRegistry.getSingleMetricAsString(name);
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

async function promValue(url: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const escaped = `${name}${labels}`.replace(/[{}"]/g, (c) => `\\${c}`);
  const match = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

describeWithServices(
  ['DATABASE_URL'],
  'usage metrics on PostgreSQL, database down and back',
  () => {
    const org = `org-metrics-int-${process.pid}-${Date.now()}`;
    const token = signToken({ org_id: org });
    let relay: TcpRelay;
    let t: TestApp | undefined;
    let recorder: MetricsRecorder;

    const row = (minute: number, latency: number, status: 'success' | 'error' = 'success') =>
      ({
        time: new Date(Date.UTC(2025, 0, 1, 10, minute)),
        org_id: org,
        service: 'openai',
        model: 'gpt-4o-mini',
        input_tokens: 10,
        output_tokens: 5,
        cached_tokens: 0,
        cost_usd: 0.001,
        latency_ms: latency,
        status,
        cached: false,
      }) satisfies UsageRow;

    const report = async () => {
      const res = await fetch(
        `${t!.url}/api/v1/metrics/usage?from=2025-01-01T10:00:00Z&to=2025-01-01T11:00:00Z`,
        { headers: authHeaders(token) },
      );
      expect(res.status).toBe(200);
      return ((await res.json()) as { data: { buckets: Array<Record<string, unknown>> } }).data
        .buckets;
    };

    beforeAll(async () => {
      const target = new URL(SERVICE_URLS.DATABASE_URL!);
      relay = new TcpRelay(target.hostname, Number(target.port || 5432));
      await relay.start();
      const viaRelay = new URL(target);
      viaRelay.hostname = '127.0.0.1';
      viaRelay.port = String(relay.port);
      t = await startTestApp({ DATABASE_URL: viaRelay.toString() });
      recorder = t.app.get(MetricsRecorder);
    });

    afterAll(async () => {
      await relay.start().catch(() => undefined);
      await t?.close();
      await relay.stop();
    });

    it('runs the migration on the real server, in step with the entity', async () => {
      const ds = t!.app.get(DataSource);
      const pending = await ds.driver.createSchemaBuilder().log();
      expect(pending.upQueries.filter((q) => q.query.includes('usage_metrics'))).toEqual([]);
      const indexes = await ds.query<Array<{ indexdef: string }>>(
        `SELECT indexdef FROM pg_indexes WHERE tablename = 'usage_metrics' ORDER BY indexname`,
      );
      expect(indexes.map((i) => i.indexdef)).toEqual([
        // The primary key doubles as the org + time-range btree.
        expect.stringContaining('USING btree (org_id, "time", id)') as unknown as string,
        expect.stringContaining('USING brin ("time")') as unknown as string,
      ]);
    });

    it('writes batches and answers the usage query with date_bin and percentile_cont', async () => {
      [100, 200, 300, 400].forEach((latency, i) =>
        recorder.record(row(i, latency, i === 3 ? 'error' : 'success')),
      );
      expect(await recorder.flush()).toMatchObject({ written: 4, failed: false, remaining: 0 });
      expect(await report()).toEqual([
        expect.objectContaining({
          bucket_start: '2025-01-01T10:00:00.000Z',
          requests: 4,
          error_rate: 0.25,
          total_tokens: 60,
          cost_usd: expect.closeTo(0.004, 10),
          latency_p50_ms: 250,
          latency_p95_ms: expect.closeTo(385, 6),
        }),
      ]);
    });

    it('keeps rows while the database is down, counts the failures, and writes them once it is back', async () => {
      const failuresBefore = await promValue(t!.url, 'gateway_metrics_flush_failures_total');
      await relay.stop();

      for (let i = 10; i < 15; i++) recorder.record(row(i, 1000));
      const down = await recorder.flush();
      expect(down).toMatchObject({ failed: true, remaining: 5 });
      expect(recorder.stats()).toMatchObject({ buffered: 5 });
      expect(recorder.stats().consecutiveFailures).toBeGreaterThanOrEqual(1);
      expect(await promValue(t!.url, 'gateway_metrics_flush_failures_total')).toBeGreaterThan(
        failuresBefore,
      );
      expect(await promValue(t!.url, 'gateway_metrics_buffer_rows')).toBe(5);

      await relay.start();
      // The retry timer may win the race; either way every row must land, exactly once.
      const back = await recorder.flush();
      expect(back).toMatchObject({ failed: false, remaining: 0 });
      expect(recorder.stats()).toMatchObject({ buffered: 0, consecutiveFailures: 0 });
      const [bucket] = await report();
      expect(bucket.requests).toBe(9);
    });

    it('counts rows it cannot write before shutdown as dropped, never silently', async () => {
      await relay.stop();
      recorder.record(row(30, 10));
      recorder.record(row(31, 10));
      const before = await registryValue('gateway_metrics_rows_dropped_total{reason="shutdown"}');
      await t!.close();
      t = undefined;
      // The registry is process-wide, so it still holds the count after the app has closed.
      expect(await registryValue('gateway_metrics_rows_dropped_total{reason="shutdown"}')).toBe(
        before + 2,
      );
    });
  },
);
