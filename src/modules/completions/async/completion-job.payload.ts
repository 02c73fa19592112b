import type { Principal } from '../../../common/auth/principal';
import { isRecord } from '../../../common/validation/is-record';
import { PermanentJobError, type JsonValue, type WebhookTarget } from '../../queue';

export const COMPLETION_JOB = 'completion';

/**
 * What an async completion job carries: the validated request body (as JSON) and the caller, so
 * the consumer can rebuild the CompletionJob exactly as the synchronous endpoint would (agent,
 * prompt, history and tools are loaded at run time), plus where to deliver the answer.
 */
export interface CompletionJobPayload {
  request: { [key: string]: JsonValue };
  principal: Principal;
  webhook: WebhookTarget;
  /** The x-request-id of the HTTP request that submitted the job. */
  request_id: string;
}

const isStringMap = (v: unknown): v is Record<string, string> =>
  isRecord(v) && Object.values(v).every((x) => typeof x === 'string');

/** Checks the payload's shape; a payload that is not one can never run (dead-lettered). */
export function parseCompletionPayload(v: JsonValue): CompletionJobPayload {
  const bad = (what: string) =>
    new PermanentJobError(`completion job payload: ${what}`, 'BAD_PAYLOAD');
  if (!isRecord(v)) throw bad('not an object');
  const { request, principal, webhook, request_id } = v;
  if (!isRecord(request)) throw bad('request missing');
  if (
    !isRecord(principal) ||
    typeof principal.userId !== 'string' ||
    typeof principal.orgId !== 'string' ||
    !Array.isArray(principal.scopes) ||
    (principal.via !== 'jwt' && principal.via !== 'api_key')
  ) {
    throw bad('principal missing');
  }
  if (!isRecord(webhook) || typeof webhook.url !== 'string' || !isStringMap(webhook.headers)) {
    throw bad('webhook missing');
  }
  if (typeof request_id !== 'string') throw bad('request_id missing');
  return v as unknown as CompletionJobPayload;
}

/** The body POSTed to the webhook (and the shape of a stored outcome). */
export type CompletionWebhookBody =
  | { job_id: string; type: 'completion'; status: 'completed'; data: JsonValue }
  | {
      job_id: string;
      type: 'completion';
      /** `failed`: a definite answer that is an error; `dead`: retries ran out (final). */
      status: 'failed' | 'dead';
      error: { code: string; message: string };
    };
