import { Logger } from '@nestjs/common';
import type { Counter, Gauge } from 'prom-client';
import { metricsRegistry } from '../../../common/metrics/prom';
import { resolveMetricsOptions, type MetricsOptions } from '../metrics.options';
import { UsageRowWriter } from '../storage/usage-row.writer';
import type { UsageRecord, UsageRow } from '../usage-row';
import { MetricsRecorder } from './metrics-recorder';

/** A writer under the test's control: records batches, fails on demand, can hold a write open. */
class FakeWriter extends UsageRowWriter {
  batches: UsageRecord[][] = [];
  attempts = 0;
  concurrent = 0;
  maxConcurrent = 0;
  failWith: Error | undefined;
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;

  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.openGate?.();
    this.gate = undefined;
  }

  get models(): string[] {
    return this.batches.flat().map((r) => r.model);
  }

  async write(rows: readonly UsageRecord[]): Promise<void> {
    this.attempts++;
    this.concurrent++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    try {
      if (this.gate) await this.gate;
      if (this.failWith !== undefined) throw this.failWith;
      this.batches.push([...rows]);
    } finally {
      this.concurrent--;
    }
  }
}

const row = (model: string, overrides: Partial<UsageRow> = {}): UsageRow => ({
  time: new Date('2025-01-01T00:00:00Z'),
  org_id: 'org-1',
  service: 'openai',
  model,
  input_tokens: 10,
  output_tokens: 5,
  cached_tokens: 0,
  cost_usd: 0.001,
  latency_ms: 120,
  status: 'success',
  cached: false,
  ...overrides,
});

async function counterValue(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = metricsRegistry.getSingleMetric(name) as Counter | Gauge | undefined;
  if (!metric) return 0;
  const data = (await metric.get()).values;
  const match = data.find((v) =>
    Object.entries(labels).every(([k, val]) => (v.labels as Record<string, string>)[k] === val),
  );
  return match?.value ?? 0;
}

interface Snapshot {
  recorded: number;
  flushed: number;
  failures: number;
  full: number;
  invalid: number;
  rejected: number;
  shutdown: number;
}

async function snapshot(): Promise<Snapshot> {
  const dropped = (reason: string) =>
    counterValue('gateway_metrics_rows_dropped_total', { reason });
  return {
    recorded: await counterValue('gateway_metrics_rows_recorded_total'),
    flushed: await counterValue('gateway_metrics_rows_flushed_total'),
    failures: await counterValue('gateway_metrics_flush_failures_total'),
    full: await dropped('buffer_full'),
    invalid: await dropped('invalid'),
    rejected: await dropped('rejected'),
    shutdown: await dropped('shutdown'),
  };
}

async function delta(before: Snapshot): Promise<Snapshot> {
  const now = await snapshot();
  return Object.fromEntries(
    Object.entries(now).map(([k, v]) => [k, v - before[k as keyof Snapshot]]),
  ) as unknown as Snapshot;
}

describe('MetricsRecorder', () => {
  let writer: FakeWriter;
  let errors: jest.SpyInstance;
  let warnings: jest.SpyInstance;
  const recorders: MetricsRecorder[] = [];

  const make = (o: Partial<MetricsOptions> = {}) => {
    const r = new MetricsRecorder(
      writer,
      resolveMetricsOptions({
        batchSize: 3,
        maxBufferedRows: 10,
        flushIntervalMs: 1000,
        retryInitialDelayMs: 1000,
        retryMaxDelayMs: 8000,
        // Pins the jitter at its maximum so the retry delay is exactly the exponential base.
        random: () => 1,
        ...o,
      }),
    );
    recorders.push(r);
    return r;
  };

  beforeEach(() => {
    jest.useFakeTimers();
    writer = new FakeWriter();
    errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    writer.failWith = undefined;
    writer.release();
    for (const r of recorders.splice(0)) await r.onApplicationShutdown();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  describe('record()', () => {
    it('is synchronous: nothing is written during the call itself', () => {
      const r = make();
      for (let i = 0; i < 5; i++) r.record(row(`m${i}`));
      expect(writer.attempts).toBe(0);
      expect(r.stats().buffered).toBe(5);
    });

    it('never throws on bad input; it counts and logs the row as invalid', async () => {
      const r = make();
      const before = await snapshot();
      expect(() => r.record(row('m', { cost_usd: Number.NaN }))).not.toThrow();
      expect(() => r.record(row('m', { org_id: '' }))).not.toThrow();
      expect(() => r.record(null as unknown as UsageRow)).not.toThrow();
      expect((await delta(before)).invalid).toBe(3);
      expect(r.stats().buffered).toBe(0);
      expect(warnings).toHaveBeenCalledWith(expect.stringContaining('cost_usd'));
    });
  });

  describe('flushing', () => {
    it('flushes as soon as a batch is full, without waiting for the interval', async () => {
      const r = make();
      const before = await snapshot();
      r.record(row('a'));
      r.record(row('b'));
      await jest.advanceTimersByTimeAsync(10);
      expect(writer.attempts).toBe(0);
      r.record(row('c'));
      await jest.advanceTimersByTimeAsync(0);
      expect(writer.batches).toHaveLength(1);
      expect(writer.models).toEqual(['a', 'b', 'c']);
      expect(await delta(before)).toMatchObject({ recorded: 3, flushed: 3 });
      expect(r.stats().buffered).toBe(0);
      // Idle: no timer keeps ticking.
      expect(jest.getTimerCount()).toBe(0);
    });

    it('flushes a partial batch once the interval has passed', async () => {
      const r = make();
      r.record(row('a'));
      await jest.advanceTimersByTimeAsync(600);
      r.record(row('b'));
      await jest.advanceTimersByTimeAsync(399);
      expect(writer.attempts).toBe(0);
      await jest.advanceTimersByTimeAsync(1);
      expect(writer.models).toEqual(['a', 'b']);
    });

    it('writes everything waiting in batches of batchSize, one INSERT per batch', async () => {
      const r = make();
      for (let i = 0; i < 7; i++) r.record(row(`m${i}`));
      await jest.advanceTimersByTimeAsync(0);
      expect(writer.batches.map((b) => b.length)).toEqual([3, 3, 1]);
      expect(writer.models).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    });

    it('runs one flush at a time; an explicit flush waits for the running one', async () => {
      const r = make();
      writer.hold();
      for (let i = 0; i < 3; i++) r.record(row(`a${i}`));
      await jest.advanceTimersByTimeAsync(0);
      expect(r.stats().inFlight).toBe(3);
      r.record(row('b0'));
      const explicit = r.flush();
      writer.release();
      const result = await explicit;
      // The running flush took b0 too (it writes all that waits); nothing overlapped.
      expect(result).toMatchObject({ failed: false, remaining: 0 });
      expect(writer.batches.map((b) => b.length)).toEqual([3, 1]);
      expect(writer.maxConcurrent).toBe(1);
      expect(writer.models).toEqual(['a0', 'a1', 'a2', 'b0']);
    });

    it('gives every row its own id (for idempotent retries)', async () => {
      const r = make();
      r.record(row('a'));
      r.record(row('a'));
      await r.flush();
      const [x, y] = writer.batches[0];
      expect(x.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(x.id).not.toBe(y.id);
    });
  });

  describe('when the database is down', () => {
    it('keeps the rows, counts the failure and retries with exponential backoff', async () => {
      const r = make();
      const before = await snapshot();
      writer.failWith = new Error('connect ECONNREFUSED 127.0.0.1:5432');
      r.record(row('a'));
      r.record(row('b'));
      await jest.advanceTimersByTimeAsync(1000);
      expect(writer.attempts).toBe(1);
      expect(r.stats()).toMatchObject({ buffered: 2, consecutiveFailures: 1 });
      expect((await delta(before)).failures).toBe(1);
      expect(errors).toHaveBeenCalledWith(expect.stringContaining('ECONNREFUSED'));

      // First retry after 1 s, the next after 2 s.
      await jest.advanceTimersByTimeAsync(999);
      expect(writer.attempts).toBe(1);
      await jest.advanceTimersByTimeAsync(1);
      expect(writer.attempts).toBe(2);
      await jest.advanceTimersByTimeAsync(1999);
      expect(writer.attempts).toBe(2);
      await jest.advanceTimersByTimeAsync(1);
      expect(writer.attempts).toBe(3);
      expect((await delta(before)).failures).toBe(3);

      // A full batch during backoff does not hammer the database.
      for (let i = 0; i < 3; i++) r.record(row(`c${i}`));
      await jest.advanceTimersByTimeAsync(100);
      expect(writer.attempts).toBe(3);

      writer.failWith = undefined;
      await jest.advanceTimersByTimeAsync(4000);
      expect(writer.models).toEqual(['a', 'b', 'c0', 'c1', 'c2']);
      expect(r.stats()).toMatchObject({ buffered: 0, consecutiveFailures: 0 });
      expect(await delta(before)).toMatchObject({ flushed: 5, full: 0 });
    });

    it('caps the retry delay at retryMaxDelayMs', async () => {
      const r = make({ retryMaxDelayMs: 2000 });
      writer.failWith = new Error('down');
      r.record(row('a'));
      await jest.advanceTimersByTimeAsync(1000); // attempt 1, next in 1 s
      await jest.advanceTimersByTimeAsync(1000); // attempt 2, next in 2 s
      await jest.advanceTimersByTimeAsync(2000); // attempt 3, next in 2 s (capped, not 4 s)
      await jest.advanceTimersByTimeAsync(2000);
      expect(writer.attempts).toBe(4);
    });

    it('drops the OLDEST rows beyond the bound, counting each drop', async () => {
      const r = make({ maxBufferedRows: 5, batchSize: 2 });
      const before = await snapshot();
      writer.failWith = new Error('down');
      for (let i = 0; i < 8; i++) r.record(row(`m${i}`));
      expect(r.stats().buffered).toBe(5);
      expect((await delta(before)).full).toBe(3);
      expect(errors).toHaveBeenCalledWith(expect.stringContaining('buffer full'));

      await jest.advanceTimersByTimeAsync(0);
      expect(r.stats().buffered).toBe(5);
      writer.failWith = undefined;
      await r.flush();
      expect(writer.models).toEqual(['m3', 'm4', 'm5', 'm6', 'm7']);
      expect(await delta(before)).toMatchObject({ recorded: 8, flushed: 5, full: 3 });
    });

    it('does not drop rows of a write in progress; they return to the front if it fails', async () => {
      const r = make({ maxBufferedRows: 5, batchSize: 2 });
      writer.hold();
      r.record(row('m0'));
      r.record(row('m1'));
      await jest.advanceTimersByTimeAsync(0);
      expect(r.stats().inFlight).toBe(2);
      for (let i = 2; i < 7; i++) r.record(row(`m${i}`)); // m2, m3 evicted
      writer.failWith = new Error('down');
      writer.release();
      await jest.advanceTimersByTimeAsync(0);
      expect(r.stats()).toMatchObject({ buffered: 5, inFlight: 0, consecutiveFailures: 1 });
      writer.failWith = undefined;
      await r.flush();
      expect(writer.models).toEqual(['m0', 'm1', 'm4', 'm5', 'm6']);
    });

    it('drops a batch the database refuses as invalid data instead of retrying it forever', async () => {
      const r = make();
      const before = await snapshot();
      writer.failWith = Object.assign(new Error('invalid input syntax'), { code: '22P02' });
      for (let i = 0; i < 3; i++) r.record(row(`m${i}`));
      await jest.advanceTimersByTimeAsync(0);
      expect(await delta(before)).toMatchObject({ rejected: 3, failures: 1 });
      expect(r.stats()).toMatchObject({ buffered: 0, consecutiveFailures: 0 });
      writer.failWith = undefined;
      r.record(row('next'));
      await r.flush();
      expect(writer.models).toEqual(['next']);
    });
  });

  describe('shutdown', () => {
    it('flushes what is buffered before the application shuts down', async () => {
      const r = make({ flushIntervalMs: 60_000 });
      r.record(row('a'));
      r.record(row('b'));
      await r.beforeApplicationShutdown();
      expect(writer.models).toEqual(['a', 'b']);
      await r.onApplicationShutdown();
      expect(r.stats().closed).toBe(true);
    });

    it('counts what cannot be written at shutdown, and rows recorded after it, as dropped', async () => {
      const r = make({ flushIntervalMs: 60_000 });
      const before = await snapshot();
      writer.failWith = new Error('the SQL store is not connected');
      r.record(row('a'));
      r.record(row('b'));
      await r.beforeApplicationShutdown();
      expect(r.stats().buffered).toBe(2);
      // Later stages do not wait on the dead database again (the shutdown has a deadline).
      await r.flushForShutdown();
      await r.onApplicationShutdown();
      expect(writer.attempts).toBe(1);
      expect(r.stats().buffered).toBe(0);
      r.record(row('late'));
      expect((await delta(before)).shutdown).toBe(3);
      expect(errors).toHaveBeenCalledWith(
        expect.stringContaining('2 usage rows could not be written'),
      );
      // No timer left behind that would fire after the process meant to exit.
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  describe('options', () => {
    it('rejects nonsense at construction time', () => {
      expect(() => resolveMetricsOptions({ batchSize: 0 })).toThrow(/batchSize/);
      expect(() => resolveMetricsOptions({ batchSize: 20, maxBufferedRows: 10 })).toThrow(
        /batchSize/,
      );
      expect(() => resolveMetricsOptions({ batchSize: 5000 })).toThrow(/batchSize/);
      expect(() => resolveMetricsOptions({ retentionDays: 0 })).toThrow(/retentionDays/);
      expect(resolveMetricsOptions()).toMatchObject({
        maxBufferedRows: 10_000,
        batchSize: 500,
        flushIntervalMs: 1_000,
        retentionDays: 90,
      });
    });
  });
});
