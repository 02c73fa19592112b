import { Global, Module, OnModuleInit } from '@nestjs/common';
import { collectDefaultMetrics } from 'prom-client';
import { metricsRegistry } from '../../common/metrics/prom';
import { HealthController } from './health.controller';
import { LifecycleState } from './lifecycle.state';
import { MetricsController } from './metrics.controller';

let defaultMetricsStarted = false;

/** Health, Prometheus metrics and process lifecycle state. */
@Global()
@Module({
  controllers: [HealthController, MetricsController],
  providers: [LifecycleState],
  exports: [LifecycleState],
})
export class MonitoringModule implements OnModuleInit {
  onModuleInit(): void {
    // Process metrics are global to the process; register them once even when tests boot many apps.
    if (!defaultMetricsStarted && !metricsRegistry.getSingleMetric('process_cpu_seconds_total')) {
      collectDefaultMetrics({ register: metricsRegistry });
      defaultMetricsStarted = true;
    }
  }
}
