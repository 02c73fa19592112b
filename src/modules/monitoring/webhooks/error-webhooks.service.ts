import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigLoader, type WebhookAudience } from '../../settings';
import {
  JobHandlerRegistry,
  JobQueue,
  type JobContext,
  type JobHandler,
  type JobOutcome,
} from '../../queue';
import type { ErrorReport } from '../errors/error-report';
import { errorMetrics } from '../errors/errors.metrics';
import { toWebhookEvent } from './error-webhook.event';
import {
  DEPLOYMENT_JOB_ORG,
  ERROR_WEBHOOK_JOB,
  parseErrorWebhookJob,
  type ErrorWebhookJob,
} from './error-webhook.job';
import { ErrorWebhookSender } from './error-webhook.sender';
import { EventThrottle } from './event-throttle';

/** One event per (audience, org, code, service) per minute, then a summary with the count. */
export const ERROR_WEBHOOK_WINDOW_MS = 60_000;
const MAX_TRACKED_KEYS = 5_000;
/** Deliveries are retried with the queue's backoff; an error event is worthless after a while. */
const MAX_ATTEMPTS = 5;

interface Pending {
  audience: WebhookAudience;
  report: ErrorReport;
}

/**
 * Error webhooks: the deployment's receiver (ERROR_WEBHOOK_URL) and the org's own (stored
 * settings) get a signed JSON event for each operator error, throttled per (audience, org, code,
 * service) so an outage does not flood them, and delivered as queue jobs: retried with backoff,
 * dead-lettered after MAX_ATTEMPTS, never on the request path.
 */
@Injectable()
export class ErrorWebhooks implements OnModuleInit, OnModuleDestroy, JobHandler<ErrorWebhookJob> {
  private readonly logger = new Logger('ErrorWebhooks');
  private readonly throttle = new EventThrottle<Pending>(
    { windowMs: ERROR_WEBHOOK_WINDOW_MS, maxKeys: MAX_TRACKED_KEYS },
    (p, suppressed) => this.enqueue(p, suppressed),
  );

  constructor(
    private readonly loader: ConfigLoader,
    private readonly queue: JobQueue,
    private readonly registry: JobHandlerRegistry,
    private readonly sender: ErrorWebhookSender,
  ) {}

  onModuleInit(): void {
    this.registry.register(ERROR_WEBHOOK_JOB, this, {
      parse: parseErrorWebhookJob,
      maxAttempts: MAX_ATTEMPTS,
    });
  }

  onModuleDestroy(): void {
    const unsent = this.throttle.close();
    if (unsent > 0) this.logger.warn(`${unsent} held-back error events were not summarised`);
  }

  /** Hands the error to every audience that has a receiver (throttled). Never throws. */
  async notify(report: ErrorReport): Promise<void> {
    let audiences: WebhookAudience[];
    try {
      audiences = await this.loader.errorWebhookAudiences(report.org_id ?? undefined);
    } catch (e) {
      this.logger.warn(`Could not read the error-webhook settings: ${text(e)}`);
      return;
    }
    for (const audience of audiences) {
      const key = [audience.kind, report.org_id ?? '-', report.code, report.service ?? '-'].join(
        '\u0000',
      );
      const result = this.throttle.offer(key, { audience, report });
      if (result !== 'sent') {
        errorMetrics.webhookEvents.inc({ audience: audience.kind, result });
      }
    }
  }

  /** Runs one delivery job (the queue retries it when this throws). */
  async run(ctx: JobContext<ErrorWebhookJob>): Promise<JobOutcome> {
    const { audience, event } = ctx.payload;
    const target = await this.loader.errorWebhook(audience);
    // The receiver was removed since: nothing to deliver to, and nothing to retry.
    if (!target) return { status: 'completed', result: { skipped: 'no receiver configured' } };
    try {
      await this.sender.send(target, event, ctx.job.attempts, ctx.signal);
    } catch (e) {
      errorMetrics.webhookEvents.inc({ audience: audience.kind, result: 'failed' });
      throw e;
    }
    errorMetrics.webhookEvents.inc({ audience: audience.kind, result: 'delivered' });
    return { status: 'completed' };
  }

  private enqueue(p: Pending, suppressed: number): void {
    const event = toWebhookEvent(p.report, suppressed, ERROR_WEBHOOK_WINDOW_MS);
    const org = p.audience.kind === 'org' ? p.audience.orgId : DEPLOYMENT_JOB_ORG;
    const job: ErrorWebhookJob = { audience: p.audience, event };
    this.queue.enqueue(ERROR_WEBHOOK_JOB, org, job).then(
      () => errorMetrics.webhookEvents.inc({ audience: p.audience.kind, result: 'queued' }),
      (e: unknown) => {
        errorMetrics.webhookEvents.inc({ audience: p.audience.kind, result: 'enqueue_failed' });
        this.logger.warn(`Error event ${event.id} not queued: ${text(e)}`);
      },
    );
  }
}

function text(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
