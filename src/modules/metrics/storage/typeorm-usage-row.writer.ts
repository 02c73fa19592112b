import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BulkInsert } from '../../../infra/postgres/bulk-insert';
import type { UsageRecord } from '../usage-row';
import { UsageMetricEntity } from './usage-metric.entity';
import { UsageRowWriter } from './usage-row.writer';

/**
 * Writes a batch as ONE multi-row INSERT through the TypeORM DataSource (PGlite, PostgreSQL
 * or TimescaleDB alike), built by BulkInsert rather than the query builder (whose per-value
 * work showed in CPU profiles under load). `ON CONFLICT DO NOTHING` on the primary key makes
 * a retried batch harmless; no RETURNING, since nothing is read back.
 */
@Injectable()
export class TypeOrmUsageRowWriter extends UsageRowWriter {
  private bulk: BulkInsert<UsageMetricEntity> | undefined;

  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async write(rows: readonly UsageRecord[]): Promise<void> {
    if (rows.length === 0) return;
    if (!this.dataSource.isInitialized) {
      throw new Error('the SQL store is not connected');
    }
    this.bulk ??= new BulkInsert(this.dataSource, UsageMetricEntity, {
      onConflictDoNothing: true,
    });
    await this.bulk.insert(rows.map(toUsageEntityValues));
  }
}

/** A validated row as the `usage_metrics` columns hold it. */
export function toUsageEntityValues(r: UsageRecord): Partial<UsageMetricEntity> {
  return {
    id: r.id,
    time: r.time,
    org_id: r.org_id,
    user_id: r.user_id,
    agent_id: r.agent_id,
    thread_id: r.thread_id,
    service: r.service,
    model: r.model,
    input_tokens: r.input_tokens,
    output_tokens: r.output_tokens,
    cached_tokens: r.cached_tokens,
    reasoning_tokens: r.reasoning_tokens,
    // A decimal string keeps numeric(20,10) exact instead of rounding through a float.
    cost_usd: r.cost_usd === null ? null : r.cost_usd.toFixed(10),
    latency_ms: r.latency_ms,
    status: r.status,
    error_code: r.error_code,
    cached: r.cached,
    attempt: r.attempt,
  };
}
