import { Global, Module, OnModuleInit } from '@nestjs/common';
import { collectDefaultMetrics } from 'prom-client';
import { ErrorObserver } from '../../common/filters/error-observer';
import { metricsRegistry } from '../../common/metrics/prom';
import { QueueModule } from '../queue';
import { SettingsModule } from '../settings';
import { ApmTransactions } from './apm/apm-transactions';
import { ErrorReporter } from './apm/error-reporter';
import { errorReporterProvider } from './apm/error-reporter.provider';
import { ErrorMonitor } from './errors/error-monitor.service';
import { HealthController } from './health.controller';
import { LifecycleState } from './lifecycle.state';
import { MetricsController } from './metrics.controller';
import { ErrorWebhookSender } from './webhooks/error-webhook.sender';
import { ErrorWebhooks } from './webhooks/error-webhooks.service';

let defaultMetricsStarted = false;

/**
 * Health, Prometheus metrics, process lifecycle state, and error monitoring: the ErrorObserver
 * behind the global filter and the pipeline (log, count, APM, error webhooks). Global because
 * that observer is cross-cutting (any module's failures reach it through the ErrorObserver port
 * in common/). Needs settings (the orgs' webhook receivers) and the queue (delivery).
 */
@Global()
@Module({
  imports: [QueueModule, SettingsModule],
  controllers: [HealthController, MetricsController],
  providers: [
    LifecycleState,
    errorReporterProvider,
    ApmTransactions,
    ErrorWebhookSender,
    ErrorWebhooks,
    ErrorMonitor,
    { provide: ErrorObserver, useExisting: ErrorMonitor },
  ],
  exports: [LifecycleState, ErrorObserver, ErrorReporter],
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
