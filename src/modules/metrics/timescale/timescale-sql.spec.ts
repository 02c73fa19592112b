import { Logger } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import {
  ensureTimescale,
  supportsGeneralizedHypertableApi,
  timescaleStatements,
  UsageMetrics1795708382253,
} from '../../../infra/postgres/migrations/1795708382253-UsageMetrics';
import { retentionStatements } from './timescale-sql';

/** Records every statement; answers catalog queries from a script. */
function fakeRunner(catalog: {
  installed?: string;
  available?: boolean;
  installFails?: boolean;
  inTransaction?: boolean;
}) {
  const statements: string[] = [];
  let installed = catalog.installed;
  const qr = {
    isTransactionActive: catalog.inTransaction ?? true,
    query: async (sql: string) => {
      statements.push(sql.replace(/\s+/g, ' ').trim());
      if (sql.includes('FROM pg_extension')) return installed ? [{ extversion: installed }] : [];
      if (sql.includes('FROM pg_available_extensions')) return catalog.available ? [{}] : [];
      if (sql.startsWith('CREATE EXTENSION')) {
        if (catalog.installFails) {
          throw new Error('extension "timescaledb" must be preloaded');
        }
        installed = '2.17.2';
      }
      return [];
    },
  } as unknown as QueryRunner;
  return { qr, statements };
}

describe('usage metrics migration', () => {
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('on plain Postgres / PGlite: the table and its indexes, nothing from TimescaleDB', async () => {
    const { qr, statements } = fakeRunner({});
    await new UsageMetrics1795708382253().up(qr);
    expect(statements[0]).toMatch(/^CREATE TABLE "usage_metrics"/);
    expect(statements[0]).toContain('PRIMARY KEY ("org_id", "time", "id")');
    expect(statements).toContain(
      'CREATE INDEX "usage_metrics_time_brin" ON "usage_metrics" USING brin ("time")',
    );
    expect(statements.join('\n')).not.toMatch(/hypertable|continuous|time_bucket|EXTENSION/);
  });

  it('with TimescaleDB installed: hypertable, per-minute and per-hour aggregates with policies', async () => {
    const { qr, statements } = fakeRunner({ installed: '2.17.2' });
    await new UsageMetrics1795708382253().up(qr);
    const all = statements.join('\n');
    expect(all).toContain(
      `SELECT create_hypertable('usage_metrics', by_range('time', INTERVAL '1 day'), create_default_indexes => FALSE, if_not_exists => TRUE)`,
    );
    expect(all).toMatch(
      /CREATE MATERIALIZED VIEW "usage_metrics_1m" WITH \(timescaledb\.continuous\) AS SELECT time_bucket\(INTERVAL '1 minute', "time"\)/,
    );
    expect(all).toMatch(/CREATE MATERIALIZED VIEW "usage_metrics_1h" .*INTERVAL '1 hour'/);
    // Inside the migration's transaction, a continuous aggregate must be created WITH NO DATA.
    expect(statements.filter((s) => s.startsWith('CREATE MATERIALIZED VIEW'))).toEqual([
      expect.stringMatching(/WITH NO DATA$/),
      expect.stringMatching(/WITH NO DATA$/),
    ]);
    expect(all).toContain("add_continuous_aggregate_policy('usage_metrics_1m'");
    expect(all).toContain("add_continuous_aggregate_policy('usage_metrics_1h'");
    expect(all).not.toContain('CREATE EXTENSION');
  });

  it('uses the pre-2.13 create_hypertable signature on older TimescaleDB', () => {
    expect(supportsGeneralizedHypertableApi('2.12.2')).toBe(false);
    expect(supportsGeneralizedHypertableApi('2.13.0')).toBe(true);
    expect(supportsGeneralizedHypertableApi('3.0.0')).toBe(true);
    expect(timescaleStatements('2.11.0')[0]).toBe(
      `SELECT create_hypertable('usage_metrics', 'time', chunk_time_interval => INTERVAL '1 day', create_default_indexes => FALSE, if_not_exists => TRUE)`,
    );
  });

  it('installs an offered extension inside a savepoint', async () => {
    const { qr, statements } = fakeRunner({ available: true });
    expect(await ensureTimescale(qr)).toBe('2.17.2');
    expect(statements).toEqual(
      expect.arrayContaining([
        'SAVEPOINT "timescaledb_install"',
        'CREATE EXTENSION IF NOT EXISTS timescaledb',
        'RELEASE SAVEPOINT "timescaledb_install"',
      ]),
    );
  });

  it('falls back to a plain table when the offered extension cannot be installed', async () => {
    const { qr, statements } = fakeRunner({ available: true, installFails: true });
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    await new UsageMetrics1795708382253().up(qr);
    expect(statements).toContain('ROLLBACK TO SAVEPOINT "timescaledb_install"');
    expect(statements.join('\n')).not.toContain('create_hypertable');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('must be preloaded'));
  });

  it('drops the aggregates and the table on down', async () => {
    const { qr, statements } = fakeRunner({});
    await new UsageMetrics1795708382253().down(qr);
    expect(statements).toEqual([
      'DROP MATERIALIZED VIEW IF EXISTS "usage_metrics_1h"',
      'DROP MATERIALIZED VIEW IF EXISTS "usage_metrics_1m"',
      'DROP TABLE "usage_metrics"',
    ]);
  });
});

describe('retentionStatements', () => {
  it('adds a policy when there is none', () => {
    expect(retentionStatements(90, undefined)).toEqual([
      `SELECT add_retention_policy('usage_metrics', drop_after => INTERVAL '90 days', if_not_exists => TRUE)`,
    ]);
  });

  it('leaves a policy with the same window alone', () => {
    expect(retentionStatements(30, true)).toEqual([]);
  });

  it('replaces a policy with another window', () => {
    expect(retentionStatements(30, false)).toEqual([
      `SELECT remove_retention_policy('usage_metrics', if_exists => TRUE)`,
      `SELECT add_retention_policy('usage_metrics', drop_after => INTERVAL '30 days', if_not_exists => TRUE)`,
    ]);
  });

  it('refuses a non-integer or non-positive window (it is interpolated into SQL)', () => {
    expect(() => retentionStatements(0, undefined)).toThrow(RangeError);
    expect(() => retentionStatements(1.5, undefined)).toThrow(RangeError);
  });
});
