import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DETECT_EXTENSION_SQL, DETECT_HYPERTABLE_SQL } from './timescale-sql';

export interface TimescaleInfo {
  version: string;
  /** usage_metrics is a hypertable (false when the table predates the extension). */
  hypertable: boolean;
}

/**
 * Whether the SQL store has TimescaleDB, read once at startup (after migrations ran): queries
 * use `time_bucket` with it and `date_bin` without; the retention policy needs a hypertable.
 */
@Injectable()
export class TimescaleStatus implements OnModuleInit {
  private readonly logger = new Logger('Metrics');
  private info: TimescaleInfo | undefined;

  constructor(private readonly dataSource: DataSource) {}

  get timescale(): TimescaleInfo | undefined {
    return this.info;
  }

  async onModuleInit(): Promise<void> {
    try {
      await this.detect();
    } catch (e) {
      // date_bin works on every Postgres >= 14, TimescaleDB included: a safe fallback.
      this.logger.warn(
        `could not detect TimescaleDB, using plain Postgres queries: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  private async detect(): Promise<void> {
    const ext = await this.dataSource.query<Array<{ extversion: string }>>(DETECT_EXTENSION_SQL);
    if (ext.length === 0) return;
    const hyper = await this.dataSource.query<unknown[]>(DETECT_HYPERTABLE_SQL);
    this.info = { version: ext[0].extversion, hypertable: hyper.length > 0 };
    if (!this.info.hypertable) {
      this.logger.warn(
        `TimescaleDB ${this.info.version} is installed but usage_metrics is a plain table (created before the extension). ` +
          `Convert it with: SELECT create_hypertable('usage_metrics', by_range('time', INTERVAL '1 day'), create_default_indexes => FALSE, migrate_data => TRUE)`,
      );
    }
  }
}
