import { AppException } from '../../../common/errors';
import { resolveUsageQuery } from './resolve-usage-query';
import { buildUsageQuery } from './usage-query.sql';

const NOW = new Date('2025-03-10T12:34:56Z');

function paramOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppException) return e.param;
    throw e;
  }
  return undefined;
}

describe('resolveUsageQuery', () => {
  it('defaults to the last 24 hours in hourly buckets, ungrouped', () => {
    expect(resolveUsageQuery({}, NOW)).toEqual({
      from: new Date('2025-03-09T12:34:56Z'),
      to: NOW,
      interval: '1 hour',
      groupBy: undefined,
    });
  });

  it('takes 24 hours back from an explicit `to`, and accepts short interval spellings', () => {
    const q = resolveUsageQuery({ to: '2025-01-02T00:00:00Z', interval: '5m' }, NOW);
    expect(q.from.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(q.interval).toBe('5 minutes');
  });

  it('requires from < to, naming `from`', () => {
    expect(paramOf(() => resolveUsageQuery({ from: '2025-01-02', to: '2025-01-01' }, NOW))).toBe(
      'from',
    );
    expect(paramOf(() => resolveUsageQuery({ from: '2025-01-01', to: '2025-01-01' }, NOW))).toBe(
      'from',
    );
    expect(paramOf(() => resolveUsageQuery({ from: '2030-01-01T00:00:00Z' }, NOW))).toBe('from');
  });

  it('caps the number of buckets, naming `interval`', () => {
    const ok = { from: '2025-03-01T00:00:00Z', to: '2025-03-02T00:00:00Z', interval: '1 minute' };
    expect(resolveUsageQuery(ok, NOW).interval).toBe('1 minute');
    const tooMany = { ...ok, to: '2025-03-03T00:00:00Z' };
    expect(paramOf(() => resolveUsageQuery(tooMany, NOW))).toBe('interval');
    expect(() => resolveUsageQuery(tooMany, NOW)).toThrow(/at most 2100/);
  });

  it('names `interval` for an unsupported width', () => {
    expect(paramOf(() => resolveUsageQuery({ interval: '2 minutes' }, NOW))).toBe('interval');
  });
});

describe('buildUsageQuery', () => {
  const spec = {
    orgId: 'org-1',
    from: new Date('2025-01-01T00:00:00Z'),
    to: new Date('2025-01-02T00:00:00Z'),
    interval: '1 hour' as const,
    groupBy: 'model' as const,
    limit: 100,
  };

  it('buckets with date_bin on plain Postgres and time_bucket on TimescaleDB, same origin', () => {
    const plain = buildUsageQuery({ ...spec, bucketFunction: 'date_bin' });
    expect(plain.sql).toContain('date_bin($1::interval, "time", $2::timestamptz)');
    expect(plain.sql).not.toContain('time_bucket');
    const ts = buildUsageQuery({ ...spec, bucketFunction: 'time_bucket' });
    expect(ts.sql).toContain('time_bucket($1::interval, "time", $2::timestamptz)');
    expect(ts.params).toEqual(plain.params);
    expect(plain.params.slice(0, 3)).toEqual(['1 hour', '2000-01-01T00:00:00Z', 'org-1']);
  });

  it('always filters by org and the half-open range, passing values as parameters', () => {
    const { sql, params } = buildUsageQuery({ ...spec, bucketFunction: 'date_bin' });
    expect(sql).toContain('WHERE "org_id" = $3 AND "time" >= $4 AND "time" < $5');
    expect(params.slice(3)).toEqual([spec.from, spec.to, 100]);
  });

  it.each([
    ['model', `"service" || '/' || "model"`],
    ['agent', '"agent_id"'],
    ['service', '"service"'],
    ['user', '"user_id"'],
    [undefined, 'NULL::text'],
  ] as const)('groups by %s with fixed SQL', (groupBy, expr) => {
    const { sql } = buildUsageQuery({ ...spec, groupBy, bucketFunction: 'date_bin' });
    expect(sql).toContain(`${expr} AS "group"`);
  });

  it('computes p50/p95 with percentile_cont', () => {
    const { sql } = buildUsageQuery({ ...spec, bucketFunction: 'date_bin' });
    expect(sql).toContain('percentile_cont(0.5) WITHIN GROUP (ORDER BY "latency_ms")');
    expect(sql).toContain('percentile_cont(0.95) WITHIN GROUP (ORDER BY "latency_ms")');
  });
});
