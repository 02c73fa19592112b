import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EgressPolicy } from '../../common/egress';
import { isRecord } from '../../common/validation/is-record';
import {
  JobHandlerRegistry,
  JobQueue,
  PermanentJobError,
  sendSignedWebhook,
  type JobContext,
  type JobHandler,
  type JobOutcome,
  type JsonValue,
} from '../queue';
import { ConfigLoader, type WebhookAudience } from '../settings';
import type { BudgetPeriod, BudgetSubject } from './budget.types';

export const BUDGET_ALERT_JOB = 'budget_alert';
/** Deployment receivers' jobs are filed under this pseudo-org (as the error webhooks do). */
const DEPLOYMENT_JOB_ORG = '_deployment';
const MAX_ATTEMPTS = 5;
const MAX_RESPONSE_BYTES = 16 * 1024;

/** The JSON body a threshold webhook carries. */
export interface BudgetAlertEvent {
  id: string;
  type: 'budget.threshold';
  org_id: string;
  subject: BudgetSubject;
  subject_id: string;
  period: BudgetPeriod;
  period_start: string;
  resets_at: string;
  threshold_percent: number;
  limit_usd: number;
  committed_usd: number;
  at: string;
}

interface BudgetAlertJob {
  audience: WebhookAudience;
  event: BudgetAlertEvent;
}

/**
 * Soft-threshold alerts: the org's (and the deployment's) error-webhook receivers get a signed
 * `budget.threshold` event when a budget's spend crosses its alert percentage — at most once per
 * budget and period (the caller claims the once-flag). Delivered as queue jobs with the same
 * signature, retries and dead letters as every gateway webhook, never on the request path.
 */
@Injectable()
export class BudgetAlerts implements OnModuleInit, JobHandler<BudgetAlertJob> {
  private readonly logger = new Logger('BudgetAlerts');

  constructor(
    private readonly loader: ConfigLoader,
    private readonly queue: JobQueue,
    private readonly registry: JobHandlerRegistry,
    private readonly egress: EgressPolicy,
  ) {}

  onModuleInit(): void {
    this.registry.register(BUDGET_ALERT_JOB, this, {
      parse: parseBudgetAlertJob,
      maxAttempts: MAX_ATTEMPTS,
    });
  }

  /** Queues the event for every receiver the org has. Never throws. */
  async fire(event: Omit<BudgetAlertEvent, 'id' | 'type' | 'at'>): Promise<void> {
    const full: BudgetAlertEvent = {
      id: `bal_${randomUUID()}`,
      type: 'budget.threshold',
      ...event,
      at: new Date().toISOString(),
    };
    try {
      for (const audience of await this.loader.errorWebhookAudiences(event.org_id)) {
        const org = audience.kind === 'org' ? audience.orgId : DEPLOYMENT_JOB_ORG;
        const job: BudgetAlertJob = { audience, event: full };
        await this.queue.enqueue(BUDGET_ALERT_JOB, org, job as unknown as JsonValue);
      }
    } catch (e) {
      this.logger.warn(
        `Budget alert ${full.id} not queued: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  async run(ctx: JobContext<BudgetAlertJob>): Promise<JobOutcome> {
    const { audience, event } = ctx.payload;
    const target = await this.loader.errorWebhook(audience);
    if (!target) return { status: 'completed', result: { skipped: 'no receiver configured' } };
    await sendSignedWebhook(
      this.egress,
      {
        url: target.url,
        secret: target.secret,
        headers: {
          'user-agent': 'ai-middleware-budget-alerts/1',
          'x-event-id': event.id,
          'x-event-type': event.type,
          'x-webhook-attempt': String(ctx.job.attempts),
        },
        body: JSON.stringify(event),
        maxResponseBytes: MAX_RESPONSE_BYTES,
        name: 'Budget webhook',
      },
      ctx.signal,
    );
    return { status: 'completed' };
  }
}

function parseBudgetAlertJob(v: JsonValue): BudgetAlertJob {
  const bad = (what: string) =>
    new PermanentJobError(`budget alert job payload: ${what}`, 'BAD_PAYLOAD');
  if (!isRecord(v)) throw bad('not an object');
  const { audience, event } = v;
  const audienceOk =
    isRecord(audience) &&
    (audience.kind === 'deployment' ||
      (audience.kind === 'org' && typeof audience.orgId === 'string'));
  if (!audienceOk) throw bad('audience missing');
  if (!isRecord(event) || typeof event.id !== 'string' || event.type !== 'budget.threshold') {
    throw bad('event missing');
  }
  return v as unknown as BudgetAlertJob;
}
