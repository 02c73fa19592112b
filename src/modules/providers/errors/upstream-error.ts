import { ErrorCode } from '../../../common/errors';
import type { ServiceName } from '../provider.types';
import { isRecord } from '../is-record';
import { ProviderError, type FailureKind } from './provider-error';
import { scrubSecrets } from './scrub';

/** What an SDK tells us about a failed HTTP exchange, independent of which SDK it was. */
export interface UpstreamFailure {
  status?: number;
  headers?: Headers;
  /** The parsed error body (or its `error` member), as the SDK exposes it. */
  body?: unknown;
  /** The SDK's own message, used when the body has none. */
  message: string;
}

const MAX_MESSAGE = 500;

/** OpenAI: `{message}`; Anthropic: `{error: {message}}`; Mistral 422: `{message: {detail: [...]}}`. */
export function upstreamMessage(body: unknown, fallback: string): string {
  if (typeof body === 'string' && body.trim()) return body;
  if (!isRecord(body)) return fallback;
  const nested = isRecord(body.error) ? body.error : undefined;
  const msg = nested?.message ?? body.message;
  if (typeof msg === 'string' && msg.trim()) return msg;
  const detail = isRecord(msg) && Array.isArray(msg.detail) ? msg.detail : undefined;
  if (detail) {
    return detail
      .map((d) => (isRecord(d) && typeof d.msg === 'string' ? d.msg : JSON.stringify(d)))
      .join('; ');
  }
  return fallback;
}

/**
 * The parameter an upstream 400 complains about: OpenAI's `param`, a pydantic-style `loc`
 * (Mistral), or the `name: ...` prefix Anthropic puts in its messages.
 */
export function upstreamParam(body: unknown, message: string): string | undefined {
  if (isRecord(body)) {
    const nested = isRecord(body.error) ? body.error : body;
    if (typeof nested.param === 'string' && nested.param) return nested.param;
    const msg = isRecord(nested.message) ? nested.message : undefined;
    const detail = msg && Array.isArray(msg.detail) ? (msg.detail as unknown[]) : undefined;
    const loc = detail?.find(isRecord)?.loc;
    if (Array.isArray(loc)) {
      const path = loc.filter((p) => p !== 'body').map(String);
      if (path.length) return path.join('.');
    }
  }
  const prefixed = /^([a-z_][a-z0-9_]*(?:[.[\]0-9a-z_]*)?):\s/i.exec(message);
  return prefixed?.[1];
}

/** `retry-after-ms` (OpenAI), `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.get('retry-after-ms') !== null && Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers.get('retry-after');
  if (raw === null || raw.trim() === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function kindFor(status: number): FailureKind {
  if (status === 429) return 'rate_limited';
  if (status === 408 || status === 409 || status >= 500) return 'server';
  if (status === 401 || status === 402 || status === 403) return 'auth';
  if (status === 404) return 'refused';
  return 'client';
}

/** Maps an upstream HTTP error status to the gateway's error, keeping the provider's words. */
export function fromUpstreamStatus(
  service: ServiceName,
  failure: UpstreamFailure & { status: number },
  secrets: readonly string[],
): ProviderError {
  const { status, headers, body } = failure;
  const raw = upstreamMessage(body, failure.message);
  const said = scrubSecrets(raw, secrets).slice(0, MAX_MESSAGE);
  const kind = kindFor(status);
  const wait = retryAfterMs(headers);
  const nested = isRecord(body) && isRecord(body.error) ? body.error : isRecord(body) ? body : {};
  const details: Record<string, unknown> = { upstream_status: status };
  if (typeof nested.type === 'string') details.upstream_type = nested.type;
  if (typeof nested.code === 'string' || typeof nested.code === 'number') {
    details.upstream_code = nested.code;
  }

  switch (kind) {
    case 'rate_limited':
      return new ProviderError(
        ErrorCode.RATE_LIMITED,
        `${service} rate limit reached: ${said}`,
        kind,
        service,
        {
          status: 429,
          details,
          retryAfterMs: wait,
          headers:
            wait === undefined ? undefined : { 'Retry-After': String(Math.ceil(wait / 1000)) },
        },
      );
    case 'client':
      if (status === 413) {
        return new ProviderError(
          ErrorCode.PAYLOAD_TOO_LARGE,
          `${service} rejected the request as too large: ${said}`,
          kind,
          service,
          {
            status: 413,
            details,
          },
        );
      }
      return new ProviderError(
        ErrorCode.VALIDATION_FAILED,
        `${service} rejected the request: ${said}`,
        kind,
        service,
        {
          status: 400,
          details,
          param: upstreamParam(body, raw),
        },
      );
    case 'auth':
      return new ProviderError(
        ErrorCode.PROVIDER_ERROR,
        `${service} refused the configured credentials (${status}): ${said}`,
        kind,
        service,
        { details },
      );
    default:
      return new ProviderError(
        ErrorCode.PROVIDER_ERROR,
        `${service} returned ${status}: ${said}`,
        kind,
        service,
        {
          details,
          retryAfterMs: wait,
        },
      );
  }
}

export function connectionError(
  service: ServiceName,
  message: string,
  secrets: readonly string[],
  cause?: unknown,
): ProviderError {
  return new ProviderError(
    ErrorCode.PROVIDER_ERROR,
    `could not reach ${service}: ${scrubSecrets(message, secrets).slice(0, MAX_MESSAGE)}`,
    'connection',
    service,
    { details: { reason: 'connection' }, cause },
  );
}
