import { Injectable } from '@nestjs/common';
import { EgressError, EgressPolicy, safeRequest } from '../../../common/egress';
import type { ResolvedWebhook } from '../../config-watcher';
import { PermanentJobError, RetryableJobError, signWebhook } from '../../queue';
import type { ErrorWebhookEvent } from './error-webhook.event';

const TIMEOUT_MS = 10_000;
const MAX_RESPONSE_BYTES = 16 * 1024;

/**
 * POSTs one error event: JSON, signed like every gateway webhook (`x-timestamp`, and
 * `x-signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`), through the egress
 * policy, no redirects. A 2xx is delivered; anything else is retried by the queue; a URL the
 * policy refuses fails for good.
 */
@Injectable()
export class ErrorWebhookSender {
  constructor(private readonly policy: EgressPolicy) {}

  async send(
    target: ResolvedWebhook,
    event: ErrorWebhookEvent,
    attempt: number,
    signal?: AbortSignal,
  ): Promise<void> {
    const body = JSON.stringify(event);
    const timestamp = Math.floor(Date.now() / 1000);
    let status: number;
    try {
      const res = await safeRequest(this.policy, target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'ai-middleware-error-webhooks/1',
          'x-event-id': event.id,
          'x-webhook-attempt': String(attempt),
          'x-timestamp': String(timestamp),
          'x-signature': signWebhook(target.secret, timestamp, body),
        },
        body,
        timeoutMs: TIMEOUT_MS,
        maxResponseBytes: MAX_RESPONSE_BYTES,
        maxRedirects: 0,
        signal,
      });
      status = res.status;
    } catch (e) {
      if (e instanceof EgressError && (e.reason === 'blocked' || e.reason === 'bad_url')) {
        throw new PermanentJobError(`Error webhook URL refused: ${e.message}`, 'WEBHOOK_BLOCKED');
      }
      const why = e instanceof EgressError ? `${e.reason}: ${e.message}` : 'network error';
      throw new RetryableJobError(`Error webhook delivery failed (${why})`, 'WEBHOOK_FAILED');
    }
    if (status < 200 || status >= 300) {
      throw new RetryableJobError(`Error webhook answered HTTP ${status}`, 'WEBHOOK_FAILED');
    }
  }
}
