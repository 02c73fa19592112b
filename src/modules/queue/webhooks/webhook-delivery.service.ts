import { Injectable } from '@nestjs/common';
import { EgressError, EgressPolicy, safeRequest } from '../../../common/egress';
import { PermanentJobError, RetryableJobError } from '../core/errors';
import type { JsonValue } from '../core/job-envelope';
import { queueMetrics } from '../runtime/queue.metrics';
import { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from './webhook-signature';
import { WebhookSecrets } from './webhook-secrets.service';

export interface WebhookTarget {
  url: string;
  /** The caller's extra headers (e.g. the receiver's own auth); ours always win. */
  headers: Record<string, string>;
}

/** Headers the gateway sets itself; a caller may not supply them. */
export const RESERVED_WEBHOOK_HEADERS: ReadonlySet<string> = new Set([
  'content-type',
  'content-length',
  'host',
  'transfer-encoding',
  'connection',
  'user-agent',
  'x-job-id',
  'x-webhook-attempt',
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
]);

const TIMEOUT_MS = 10_000;
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * POSTs a job's result to its webhook: JSON body, signed with the org's secret over
 * `<timestamp>.<body>`, through the egress policy (no private addresses unless allowed, no
 * redirects). Any 2xx is delivered; anything else, or a network failure, is retried by the
 * queue; a URL the policy refuses is a permanent failure.
 */
@Injectable()
export class WebhookDelivery {
  constructor(
    private readonly policy: EgressPolicy,
    private readonly secrets: WebhookSecrets,
  ) {}

  async deliver(
    orgId: string,
    target: WebhookTarget,
    body: JsonValue,
    meta: { jobId: string; attempt: number },
    signal?: AbortSignal,
  ): Promise<void> {
    const text = JSON.stringify(body);
    const timestamp = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(target.headers)) {
      if (!RESERVED_WEBHOOK_HEADERS.has(k.toLowerCase())) headers[k] = v;
    }
    Object.assign(headers, {
      'content-type': 'application/json',
      'user-agent': 'ai-middleware-webhooks/1',
      'x-job-id': meta.jobId,
      'x-webhook-attempt': String(meta.attempt),
      [TIMESTAMP_HEADER]: String(timestamp),
      [SIGNATURE_HEADER]: signWebhook(this.secrets.forOrg(orgId), timestamp, text),
    });
    let status: number;
    try {
      const res = await safeRequest(this.policy, target.url, {
        method: 'POST',
        headers,
        body: text,
        timeoutMs: TIMEOUT_MS,
        maxResponseBytes: MAX_RESPONSE_BYTES,
        // A redirected POST is ambiguous (some clients turn it into a GET): treat it as a failure.
        maxRedirects: 0,
        signal,
      });
      status = res.status;
    } catch (e) {
      queueMetrics.webhooks.inc({ result: 'failed' });
      if (e instanceof EgressError && (e.reason === 'blocked' || e.reason === 'bad_url')) {
        throw new PermanentJobError(`Webhook URL refused: ${e.message}`, 'WEBHOOK_BLOCKED');
      }
      const why = e instanceof EgressError ? `${e.reason}: ${e.message}` : 'network error';
      throw new RetryableJobError(`Webhook delivery failed (${why})`, 'WEBHOOK_FAILED');
    }
    if (status < 200 || status >= 300) {
      queueMetrics.webhooks.inc({ result: 'failed' });
      throw new RetryableJobError(`Webhook answered HTTP ${status}`, 'WEBHOOK_FAILED');
    }
    queueMetrics.webhooks.inc({ result: 'delivered' });
  }
}
