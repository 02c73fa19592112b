/**
 * The TimescaleDB statements the running gateway issues (the schema itself is the migration's).
 * Pure functions, so the choice of statement is unit-tested without a TimescaleDB server.
 */

export const DETECT_EXTENSION_SQL = `SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'`;

export const DETECT_HYPERTABLE_SQL = `SELECT 1 FROM timescaledb_information.hypertables
  WHERE hypertable_schema = current_schema() AND hypertable_name = 'usage_metrics'`;

/** `same` is true when the existing retention policy already drops after `$1` days. */
export const CURRENT_RETENTION_SQL = `SELECT (config->>'drop_after')::interval = make_interval(days => $1::int) AS same
  FROM timescaledb_information.jobs
  WHERE proc_name = 'policy_retention'
    AND hypertable_schema = current_schema() AND hypertable_name = 'usage_metrics'`;

/** Serializes the reconcile across instances booting together. */
export const RETENTION_LOCK_SQL = `SELECT pg_advisory_xact_lock(hashtext('aimw:usage_metrics:retention'))`;

/**
 * Statements that bring the raw table's retention policy to `days`. `existing` is what the
 * jobs view says: no policy (undefined), one with the same window (true) or another (false).
 * The continuous aggregates get no retention: they are the downsampled long-term history.
 */
export function retentionStatements(days: number, existing: boolean | undefined): string[] {
  if (!Number.isInteger(days) || days < 1) {
    throw new RangeError(`retention days must be a positive integer, got ${days}`);
  }
  if (existing === true) return [];
  const add = `SELECT add_retention_policy('usage_metrics', drop_after => INTERVAL '${days} days', if_not_exists => TRUE)`;
  return existing === false
    ? [`SELECT remove_retention_policy('usage_metrics', if_exists => TRUE)`, add]
    : [add];
}
