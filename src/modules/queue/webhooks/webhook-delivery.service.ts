import { Injectable } from '@nestjs/common';
import { EgressPolicy } from '../../../common/egress';
import type { JsonValue } from '../core/job-envelope';
import { queueMetrics } from '../runtime/queue.metrics';
import { sendSignedWebhook } from './send-signed-webhook';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from './webhook-signature';
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

const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * POSTs a job's result to its webhook, signed with the org's secret (see sendSignedWebhook for
 * what is retried), with the caller's own headers where they do not clash with ours.
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
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(target.headers)) {
      if (!RESERVED_WEBHOOK_HEADERS.has(k.toLowerCase())) headers[k] = v;
    }
    Object.assign(headers, {
      'user-agent': 'ai-middleware-webhooks/1',
      'x-job-id': meta.jobId,
      'x-webhook-attempt': String(meta.attempt),
    });
    const secret = this.secrets.forOrg(orgId);
    try {
      await sendSignedWebhook(
        this.policy,
        {
          url: target.url,
          secret,
          headers,
          body: JSON.stringify(body),
          maxResponseBytes: MAX_RESPONSE_BYTES,
          name: 'Webhook',
        },
        signal,
      );
    } catch (e) {
      queueMetrics.webhooks.inc({ result: 'failed' });
      throw e;
    }
    queueMetrics.webhooks.inc({ result: 'delivered' });
  }
}
