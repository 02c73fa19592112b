import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TimescaleStatus } from '../timescale/timescale.status';
import { MAX_RESULT_ROWS } from './usage-intervals';
import { badParam, resolveUsageQuery } from './resolve-usage-query';
import type { UsageBucketDto, UsageQueryDto, UsageReportDto } from './usage-query.dto';
import { buildUsageQuery } from './usage-query.sql';

/** One bucket as the usage query returns it (before it becomes a `UsageBucketDto`). */
interface UsageBucketRow {
  bucket_start: Date;
  group: string | null;
  requests: number;
  errors: number;
  cached: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost_usd: number | null;
  latency_p50_ms: number;
  latency_p95_ms: number;
}

/** Usage analytics over the metrics table, always scoped to one org. */
@Injectable()
export class UsageQueryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly timescale: TimescaleStatus,
  ) {}

  async report(orgId: string, dto: UsageQueryDto, now?: Date): Promise<UsageReportDto> {
    const q = resolveUsageQuery(dto, now);
    const { sql, params } = buildUsageQuery({
      orgId,
      ...q,
      bucketFunction: this.timescale.timescale ? 'time_bucket' : 'date_bin',
      // One more than allowed tells "exactly at the cap" from "over it".
      limit: MAX_RESULT_ROWS + 1,
    });
    const rows = await this.dataSource.query<UsageBucketRow[]>(sql, params);
    if (rows.length > MAX_RESULT_ROWS) {
      throw badParam(
        q.groupBy ? 'group_by' : 'interval',
        `the result has more than ${MAX_RESULT_ROWS} bucket/group rows: use a wider interval, a shorter range or another group_by`,
      );
    }
    return {
      from: q.from.toISOString(),
      to: q.to.toISOString(),
      interval: q.interval,
      group_by: q.groupBy ?? null,
      buckets: rows.map(toBucket),
    };
  }
}

function toBucket(r: UsageBucketRow): UsageBucketDto {
  return {
    bucket_start: new Date(r.bucket_start).toISOString(),
    group: r.group,
    requests: r.requests,
    errors: r.errors,
    error_rate: r.requests === 0 ? 0 : r.errors / r.requests,
    cached: r.cached,
    input_tokens: r.input_tokens,
    output_tokens: r.output_tokens,
    total_tokens: r.input_tokens + r.output_tokens,
    cached_tokens: r.cached_tokens,
    cost_usd: r.cost_usd,
    latency_p50_ms: r.latency_p50_ms,
    latency_p95_ms: r.latency_p95_ms,
  };
}
