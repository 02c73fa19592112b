import { Injectable } from '@nestjs/common';
import { EgressPolicy } from '../../../common/egress';
import type { ResolvedWebhook } from '../../settings';
import { sendSignedWebhook } from '../../queue';
import type { ErrorWebhookEvent } from './error-webhook.event';

const MAX_RESPONSE_BYTES = 16 * 1024;

/** POSTs one error event, signed like every gateway webhook (see sendSignedWebhook). */
@Injectable()
export class ErrorWebhookSender {
  constructor(private readonly policy: EgressPolicy) {}

  async send(
    target: ResolvedWebhook,
    event: ErrorWebhookEvent,
    attempt: number,
    signal?: AbortSignal,
  ): Promise<void> {
    await sendSignedWebhook(
      this.policy,
      {
        url: target.url,
        secret: target.secret,
        headers: {
          'user-agent': 'ai-middleware-error-webhooks/1',
          'x-event-id': event.id,
          'x-webhook-attempt': String(attempt),
        },
        body: JSON.stringify(event),
        maxResponseBytes: MAX_RESPONSE_BYTES,
        name: 'Error webhook',
      },
      signal,
    );
  }
}
