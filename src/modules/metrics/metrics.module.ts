import { Module, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { MetricsRecorder } from './buffer/metrics-recorder';
import { METRICS_OPTIONS, resolveMetricsOptions } from './metrics.options';
import { MetricsUsageController } from './query/metrics-usage.controller';
import { UsageQueryService } from './query/usage-query.service';
import { TypeOrmUsageRowWriter } from './storage/typeorm-usage-row.writer';
import { UsageRowWriter } from './storage/usage-row.writer';
import { TimescaleRetention } from './timescale/timescale-retention';
import { TimescaleStatus } from './timescale/timescale.status';

/**
 * Usage metrics: `UsageRowWriter` (exported; the completion pipeline writes each answer's rows
 * with it, idempotently by row id, before the answer leaves) and `MetricsRecorder` (exported; a
 * buffered writer for rows nobody waits for) write through the SQL store's DataSource (global
 * PostgresModule), and
 * `GET /api/v1/metrics/usage` reads them back. Import this class itself (no `forRoot`): there
 * must be exactly one recorder per process.
 */
@Module({
  controllers: [MetricsUsageController],
  providers: [
    // Defaults for now; env-driven tunables would be resolved here from a config namespace.
    { provide: METRICS_OPTIONS, useFactory: () => resolveMetricsOptions() },
    { provide: UsageRowWriter, useClass: TypeOrmUsageRowWriter },
    MetricsRecorder,
    TimescaleStatus,
    TimescaleRetention,
    UsageQueryService,
  ],
  exports: [MetricsRecorder, UsageRowWriter],
})
export class MetricsModule implements OnApplicationBootstrap {
  constructor(
    private readonly recorder: MetricsRecorder,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /**
   * Requests still in flight when shutdown begins record their rows after the recorder's
   * `beforeApplicationShutdown` flush. Fastify runs onClose hooks once those requests are done
   * and before Nest closes the DataSource, so one more flush there saves them.
   */
  onApplicationBootstrap(): void {
    const adapter = this.adapterHost.httpAdapter as { getInstance?: () => unknown } | undefined;
    const fastify = adapter?.getInstance?.() as FastifyInstance | undefined;
    if (typeof fastify?.addHook !== 'function') return;
    fastify.addHook('onClose', async () => {
      await this.recorder.flushForShutdown();
    });
  }
}
