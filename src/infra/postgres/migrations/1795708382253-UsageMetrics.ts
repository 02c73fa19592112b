import { Logger } from '@nestjs/common';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Usage metrics (one row per provider call), on every SQL store:
 * - plain PostgreSQL / PGlite: a table with a BRIN index on time; the primary key
 *   (org_id, time, id) doubles as the org + time-range btree every query uses;
 * - TimescaleDB present: the same table made a hypertable (1-day chunks), plus continuous
 *   aggregates per minute and per hour with refresh policies. The retention policy is applied
 *   at startup instead (`TimescaleRetention`), because its length is configuration.
 *
 * Frozen once shipped: the SQL lives here, not in shared code, so later changes cannot alter
 * what an existing database was migrated with.
 */
export class UsageMetrics1795708382253 implements MigrationInterface {
  name = 'UsageMetrics1795708382253';

  async up(qr: QueryRunner): Promise<void> {
    for (const sql of USAGE_METRICS_TABLE_SQL) await qr.query(sql);
    const timescale = await ensureTimescale(qr);
    if (timescale === undefined) return;
    new Logger('Migrations').log(`TimescaleDB ${timescale}: usage_metrics becomes a hypertable`);
    for (const sql of timescaleStatements(timescale)) await qr.query(sql);
  }

  async down(qr: QueryRunner): Promise<void> {
    // Continuous aggregates are materialized views; plain Postgres never has them.
    await qr.query('DROP MATERIALIZED VIEW IF EXISTS "usage_metrics_1h"');
    await qr.query('DROP MATERIALIZED VIEW IF EXISTS "usage_metrics_1m"');
    await qr.query('DROP TABLE "usage_metrics"');
  }
}

export const USAGE_METRICS_TABLE_SQL: readonly string[] = [
  `CREATE TABLE "usage_metrics" (
    "time" timestamptz NOT NULL,
    "org_id" text NOT NULL,
    "id" uuid NOT NULL,
    "user_id" text,
    "agent_id" text,
    "thread_id" text,
    "service" text NOT NULL,
    "model" text NOT NULL,
    "input_tokens" integer NOT NULL,
    "output_tokens" integer NOT NULL,
    "cached_tokens" integer NOT NULL,
    "reasoning_tokens" integer,
    "cost_usd" numeric(20,10),
    "latency_ms" integer NOT NULL,
    "status" text NOT NULL,
    "error_code" text,
    "cached" boolean NOT NULL,
    "attempt" integer,
    CONSTRAINT "PK_usage_metrics" PRIMARY KEY ("org_id", "time", "id")
  )`,
  'CREATE INDEX "usage_metrics_time_brin" ON "usage_metrics" USING brin ("time")',
];

/** `create_hypertable(relation, by_range(...))` replaced the old signature in 2.13. */
export function supportsGeneralizedHypertableApi(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map((p) => Number.parseInt(p, 10) || 0);
  return major > 2 || (major === 2 && minor >= 13);
}

/** Aggregates a continuous aggregate may hold: sums and counts (no ordered-set percentiles). */
function continuousAggregate(name: string, bucket: string): string {
  return `CREATE MATERIALIZED VIEW "${name}"
  WITH (timescaledb.continuous) AS
  SELECT time_bucket(INTERVAL '${bucket}', "time") AS "bucket",
    "org_id", "service", "model", "agent_id",
    count(*) AS "requests",
    sum(CASE WHEN "status" = 'error' THEN 1 ELSE 0 END) AS "errors",
    sum(CASE WHEN "cached" THEN 1 ELSE 0 END) AS "cached",
    sum("input_tokens") AS "input_tokens",
    sum("output_tokens") AS "output_tokens",
    sum("cached_tokens") AS "cached_tokens",
    sum("cost_usd") AS "cost_usd",
    sum("latency_ms") AS "latency_ms_sum",
    max("latency_ms") AS "latency_ms_max"
  FROM "usage_metrics"
  GROUP BY "bucket", "org_id", "service", "model", "agent_id"
  WITH NO DATA`;
}

/**
 * The TimescaleDB part, for the installed extension version. Default indexes are skipped: the
 * table's own BRIN and primary key already cover time and org + time. `WITH NO DATA` keeps the
 * view creation legal inside the migration's transaction; the refresh policies fill them.
 */
export function timescaleStatements(version: string): string[] {
  const hypertable = supportsGeneralizedHypertableApi(version)
    ? `SELECT create_hypertable('usage_metrics', by_range('time', INTERVAL '1 day'), create_default_indexes => FALSE, if_not_exists => TRUE)`
    : `SELECT create_hypertable('usage_metrics', 'time', chunk_time_interval => INTERVAL '1 day', create_default_indexes => FALSE, if_not_exists => TRUE)`;
  return [
    hypertable,
    continuousAggregate('usage_metrics_1m', '1 minute'),
    continuousAggregate('usage_metrics_1h', '1 hour'),
    // Windows reach back far enough for rows that arrive late (buffered during a DB outage).
    `SELECT add_continuous_aggregate_policy('usage_metrics_1m', start_offset => INTERVAL '2 hours', end_offset => INTERVAL '1 minute', schedule_interval => INTERVAL '1 minute', if_not_exists => TRUE)`,
    `SELECT add_continuous_aggregate_policy('usage_metrics_1h', start_offset => INTERVAL '3 days', end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '30 minutes', if_not_exists => TRUE)`,
  ];
}

type Rows = Array<Record<string, unknown>>;

async function installedTimescale(qr: QueryRunner): Promise<string | undefined> {
  const rows = (await qr.query(
    `SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'`,
  )) as Rows;
  return rows.length > 0 ? String(rows[0].extversion) : undefined;
}

/**
 * The installed TimescaleDB version, installing the extension when the server offers it. It
 * is offered but unusable when not in shared_preload_libraries or when we lack the privilege:
 * the attempt runs in a savepoint so that failure leaves a plain-Postgres migration intact.
 */
export async function ensureTimescale(qr: QueryRunner): Promise<string | undefined> {
  const installed = await installedTimescale(qr);
  if (installed !== undefined) return installed;
  const offered = (await qr.query(
    `SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'`,
  )) as Rows;
  if (offered.length === 0) return undefined;
  const inTx = qr.isTransactionActive;
  if (inTx) await qr.query('SAVEPOINT "timescaledb_install"');
  try {
    await qr.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
    if (inTx) await qr.query('RELEASE SAVEPOINT "timescaledb_install"');
  } catch (e) {
    if (inTx) await qr.query('ROLLBACK TO SAVEPOINT "timescaledb_install"');
    new Logger('Migrations').warn(
      `TimescaleDB is available but could not be installed (${e instanceof Error ? e.message : String(e)}); usage_metrics stays a plain table`,
    );
    return undefined;
  }
  return installedTimescale(qr);
}
