import { AppException, ErrorCode } from '../../../common/errors';
import type { ServiceName } from '../provider.types';

/**
 * Why an upstream call failed. The resilience layer decides from this alone whether to retry,
 * whether to move on to a fallback and whether the failure counts against the circuit breaker.
 */
export type FailureKind =
  /** 408/409/5xx from the provider. */
  | 'server'
  /** 429 from the provider. */
  | 'rate_limited'
  /** DNS, refused or reset connection. */
  | 'connection'
  /** Our per-call deadline fired. */
  | 'timeout'
  /** The provider rejected our credentials or billing (401/402/403): this key cannot serve. */
  | 'auth'
  /** The provider does not know the model or route (404): another service may. */
  | 'refused'
  /** The request itself is wrong (400/404/422): retrying or falling back would not help. */
  | 'client'
  /** The provider answered with data we cannot understand. */
  | 'malformed'
  /** The caller went away; nothing to report to anyone. */
  | 'aborted'
  /** No call was possible: circuit open or no key configured. */
  | 'unavailable'
  /** The org's configured endpoint is refused by the egress policy: never attempted. */
  | 'egress';

const RETRYABLE: ReadonlySet<FailureKind> = new Set(['server', 'rate_limited', 'connection']);
const FALLBACK: ReadonlySet<FailureKind> = new Set([
  'server',
  'rate_limited',
  'connection',
  'timeout',
  'auth',
  'refused',
  'malformed',
  'unavailable',
  // Like a missing key: this target cannot serve the org, another service may.
  'egress',
]);
/**
 * Evidence about the provider's health: 5xx, 408, 429, connection failures, timeouts and
 * unreadable answers. Client errors (every other 4xx, including rejected keys), validation
 * errors, aborts and refusals of our own never count: they say nothing about the provider, and
 * counting them would let one tenant's bad requests open a circuit for everyone.
 */
const BREAKER_FAILURE: ReadonlySet<FailureKind> = new Set([
  'server',
  'rate_limited',
  'connection',
  'timeout',
  'malformed',
]);

export interface ProviderErrorOptions {
  status?: number;
  details?: Record<string, unknown>;
  param?: string;
  headers?: Record<string, string>;
  cause?: unknown;
  /** How long the provider asked us to wait (Retry-After), when it said. */
  retryAfterMs?: number;
}

/**
 * An AppException that also carries the failure classification. It renders like any other
 * AppException (the global filter only looks at code/status/message/details/param/headers).
 */
export class ProviderError extends AppException {
  readonly retryAfterMs?: number;

  constructor(
    code: ErrorCode,
    message: string,
    readonly kind: FailureKind,
    readonly service: ServiceName,
    options: ProviderErrorOptions = {},
  ) {
    super(code, message, {
      status: options.status,
      details: { service, ...options.details },
      param: options.param,
      headers: options.headers,
      cause: options.cause,
    });
    this.name = 'ProviderError';
    this.retryAfterMs = options.retryAfterMs;
  }

  /** Worth another attempt against the same service. */
  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }

  /** Worth trying the next service in the fallback chain. */
  get fallbackable(): boolean {
    return FALLBACK.has(this.kind);
  }

  /** Evidence that the (service, key) pair is unhealthy. */
  get countsAgainstCircuit(): boolean {
    // 409 is retried like a 5xx, but it is a 4xx: a conflict about this request.
    return BREAKER_FAILURE.has(this.kind) && this.upstreamStatus !== 409;
  }

  /** The provider's HTTP status, when the failure was an HTTP answer. */
  get upstreamStatus(): number | undefined {
    const details = this.details as { upstream_status?: unknown } | undefined;
    return typeof details?.upstream_status === 'number' ? details.upstream_status : undefined;
  }
}

export function abortedError(service: ServiceName): ProviderError {
  return new ProviderError(
    ErrorCode.PROVIDER_ERROR,
    'The request was cancelled',
    'aborted',
    service,
    {
      // 499 (client closed request): the client is gone, so the status is only for logs.
      status: 499,
      details: { reason: 'aborted' },
    },
  );
}

export function timeoutError(service: ServiceName, timeoutMs: number): ProviderError {
  return new ProviderError(
    ErrorCode.PROVIDER_TIMEOUT,
    `${service} did not answer within ${timeoutMs} ms`,
    'timeout',
    service,
    { details: { timeout_ms: timeoutMs } },
  );
}

export function malformedError(service: ServiceName, what: string, cause?: unknown): ProviderError {
  return new ProviderError(
    ErrorCode.PROVIDER_ERROR,
    `${service} returned a malformed response: ${what}`,
    'malformed',
    service,
    { details: { reason: 'malformed_response' }, cause },
  );
}

export function noKeyError(service: ServiceName): ProviderError {
  return new ProviderError(
    ErrorCode.PROVIDER_UNAVAILABLE,
    `no API key configured for ${service}`,
    'unavailable',
    service,
    { details: { reason: 'no_api_key' } },
  );
}

/** The service has no public endpoint and none is configured (deployment key or org base_url). */
export function noBaseUrlError(service: ServiceName, envKey: string): ProviderError {
  return new ProviderError(
    ErrorCode.PROVIDER_UNAVAILABLE,
    `no base URL configured for ${service}: set ${envKey}, or give the org's ${service} provider key a base_url`,
    'unavailable',
    service,
    { details: { reason: 'no_base_url', config_key: envKey } },
  );
}

/**
 * The org's base URL for the service is refused by the egress policy. A 403: the request is
 * fine, the destination is not allowed, and retrying will not change that. The message names
 * the rule, never what a host name resolved to.
 */
export function egressRefusedError(service: ServiceName, why?: string): ProviderError {
  return new ProviderError(
    ErrorCode.PROVIDER_ERROR,
    `The org's ${service} base_url is refused by the gateway's egress policy` +
      (why ? `: ${why}` : '') +
      '. Update the provider key (PATCH /api/v1/provider-keys/{id}) or ask the operator to allowlist the host (EGRESS_ALLOWLIST).',
    'egress',
    service,
    { status: 403, details: { reason: 'egress_blocked' }, param: 'base_url' },
  );
}

export function circuitOpenError(service: ServiceName, retryAfterMs: number): ProviderError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new ProviderError(
    ErrorCode.PROVIDER_UNAVAILABLE,
    `${service} is temporarily unavailable after repeated failures; retry in ${seconds}s`,
    'unavailable',
    service,
    {
      details: { reason: 'circuit_open' },
      headers: { 'Retry-After': String(seconds) },
      retryAfterMs,
    },
  );
}
