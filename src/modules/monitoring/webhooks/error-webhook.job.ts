import { PermanentJobError, type JsonValue } from '../../queue';
import type { WebhookAudience } from '../../settings';
import type { ErrorWebhookEvent } from './error-webhook.event';
import { isRecord } from '../../../common/validation/is-record';

export const ERROR_WEBHOOK_JOB = 'error_webhook';

/**
 * Jobs delivering to the deployment's receiver are filed under this pseudo-org, so they never
 * show among an org's jobs or dead letters (they are the operators' business).
 */
export const DEPLOYMENT_JOB_ORG = '_deployment';

/**
 * One delivery: the event and who it is for. The receiver's URL and secret are not in the
 * job: they are looked up when it runs (the current ones, and no secret in the job store).
 */
export type ErrorWebhookJob = { audience: WebhookAudience; event: ErrorWebhookEvent };

export function parseErrorWebhookJob(v: JsonValue): ErrorWebhookJob {
  const bad = (what: string) =>
    new PermanentJobError(`error webhook job payload: ${what}`, 'BAD_PAYLOAD');
  if (!isRecord(v)) throw bad('not an object');
  const { audience, event } = v;
  if (
    !isRecord(audience) ||
    !(
      audience.kind === 'deployment' ||
      (audience.kind === 'org' && typeof audience.orgId === 'string')
    )
  ) {
    throw bad('audience missing');
  }
  if (!isRecord(event) || typeof event.id !== 'string' || typeof event.code !== 'string') {
    throw bad('event missing');
  }
  return v as unknown as ErrorWebhookJob;
}
