import { EgressError, type EgressPolicy, safeRequest } from '../../../common/egress';
import { PermanentJobError, RetryableJobError } from '../core/errors';
import { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from './webhook-signature';

const TIMEOUT_MS = 10_000;

/** One signed webhook POST (a job's result, an error event). */
export interface SignedWebhook {
  url: string;
  /** The HMAC key (a `whsec_...` string). */
  secret: string;
  /** The sender's own headers (user agent, ids, attempt); the signature headers are added. */
  headers: Record<string, string>;
  /** The JSON body, as sent and signed. */
  body: string;
  maxResponseBytes: number;
  /** How failures name the webhook ("Webhook", "Error webhook"). */
  name: string;
}

/**
 * POSTs `hook.body` as JSON, signed like every gateway webhook (`x-timestamp`, and
 * `x-signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`), through the egress
 * policy (no private addresses unless allowed), no redirects. Any 2xx is delivered; anything
 * else, or a network failure, throws a RetryableJobError for the queue to retry; a URL the
 * policy refuses throws a PermanentJobError.
 */
export async function sendSignedWebhook(
  policy: EgressPolicy,
  hook: SignedWebhook,
  signal?: AbortSignal,
): Promise<void> {
  const timestamp = Math.floor(Date.now() / 1000);
  let status: number;
  try {
    const res = await safeRequest(policy, hook.url, {
      method: 'POST',
      headers: {
        ...hook.headers,
        'content-type': 'application/json',
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: signWebhook(hook.secret, timestamp, hook.body),
      },
      body: hook.body,
      timeoutMs: TIMEOUT_MS,
      maxResponseBytes: hook.maxResponseBytes,
      // A redirected POST is ambiguous (some clients turn it into a GET): treat it as a failure.
      maxRedirects: 0,
      signal,
    });
    status = res.status;
  } catch (e) {
    if (e instanceof EgressError && (e.reason === 'blocked' || e.reason === 'bad_url')) {
      throw new PermanentJobError(`${hook.name} URL refused: ${e.message}`, 'WEBHOOK_BLOCKED');
    }
    const why = e instanceof EgressError ? `${e.reason}: ${e.message}` : 'network error';
    throw new RetryableJobError(`${hook.name} delivery failed (${why})`, 'WEBHOOK_FAILED');
  }
  if (status < 200 || status >= 300) {
    throw new RetryableJobError(`${hook.name} answered HTTP ${status}`, 'WEBHOOK_FAILED');
  }
}
