import type { UsageInterval } from './usage-intervals';

export const USAGE_GROUPS = ['model', 'agent', 'service', 'user'] as const;
export type UsageGroupBy = (typeof USAGE_GROUPS)[number];

/**
 * Fixed SQL per grouping (the client picks a key, never an expression). A model is reported as
 * `service/model`, the gateway's own model naming, since two services may share a model name.
 */
const GROUP_EXPR: Record<UsageGroupBy | 'none', string> = {
  model: `"service" || '/' || "model"`,
  agent: `"agent_id"`,
  service: `"service"`,
  user: `"user_id"`,
  none: `NULL::text`,
};

/** Buckets are aligned to this origin (a midnight, UTC) whichever function computes them. */
export const BUCKET_ORIGIN = '2000-01-01T00:00:00Z';

export interface UsageQuerySpec {
  orgId: string;
  from: Date;
  to: Date;
  interval: UsageInterval;
  groupBy: UsageGroupBy | undefined;
  /** TimescaleDB's `time_bucket` when the extension is installed, core `date_bin` otherwise. */
  bucketFunction: 'time_bucket' | 'date_bin';
  limit: number;
}

export interface SqlQuery {
  sql: string;
  params: unknown[];
}

/**
 * One pass over the org's rows in [from, to): the primary key (org_id, time, id) serves the
 * range. Every aggregate is cast so the pg driver returns numbers, not strings.
 */
export function buildUsageQuery(spec: UsageQuerySpec): SqlQuery {
  const bucket =
    spec.bucketFunction === 'time_bucket'
      ? `time_bucket($1::interval, "time", $2::timestamptz)`
      : `date_bin($1::interval, "time", $2::timestamptz)`;
  const group = GROUP_EXPR[spec.groupBy ?? 'none'];
  const sql = `SELECT ${bucket} AS "bucket_start",
    ${group} AS "group",
    count(*)::int AS "requests",
    count(*) FILTER (WHERE "status" = 'error')::int AS "errors",
    count(*) FILTER (WHERE "cached")::int AS "cached",
    coalesce(sum("input_tokens"), 0)::float8 AS "input_tokens",
    coalesce(sum("output_tokens"), 0)::float8 AS "output_tokens",
    coalesce(sum("cached_tokens"), 0)::float8 AS "cached_tokens",
    sum("cost_usd")::float8 AS "cost_usd",
    percentile_cont(0.5) WITHIN GROUP (ORDER BY "latency_ms")::float8 AS "latency_p50_ms",
    percentile_cont(0.95) WITHIN GROUP (ORDER BY "latency_ms")::float8 AS "latency_p95_ms"
  FROM "usage_metrics"
  WHERE "org_id" = $3 AND "time" >= $4 AND "time" < $5
  GROUP BY 1, 2
  ORDER BY 1, 2 NULLS FIRST
  LIMIT $6`;
  return {
    sql,
    params: [spec.interval, BUCKET_ORIGIN, spec.orgId, spec.from, spec.to, spec.limit],
  };
}
