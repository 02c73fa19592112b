import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { METRICS_OPTIONS, type MetricsOptions } from '../metrics.options';
import { CURRENT_RETENTION_SQL, RETENTION_LOCK_SQL, retentionStatements } from './timescale-sql';
import { TimescaleStatus } from './timescale.status';

/**
 * Brings the raw table's TimescaleDB retention policy to `retentionDays` at startup (a setting,
 * so not fixed in the migration). Does nothing on plain Postgres or PGlite. A failure is logged,
 * not fatal: metrics keep working, only old rows are not aged out.
 */
@Injectable()
export class TimescaleRetention implements OnApplicationBootstrap {
  private readonly logger = new Logger('Metrics');

  constructor(
    private readonly dataSource: DataSource,
    private readonly status: TimescaleStatus,
    @Inject(METRICS_OPTIONS) private readonly options: MetricsOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.status.timescale?.hypertable) return;
    const days = this.options.retentionDays;
    try {
      await this.dataSource.transaction(async (em) => {
        await em.query(RETENTION_LOCK_SQL);
        const rows = await em.query<Array<{ same: boolean }>>(CURRENT_RETENTION_SQL, [days]);
        const statements = retentionStatements(days, rows[0]?.same);
        for (const sql of statements) await em.query(sql);
        if (statements.length > 0) {
          this.logger.log(`TimescaleDB retention: raw usage rows are kept ${days} days`);
        }
      });
    } catch (e) {
      this.logger.error(
        `could not apply the ${days}-day retention policy to usage_metrics: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
}
