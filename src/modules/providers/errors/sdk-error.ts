import type { ServiceName } from '../provider.types';
import { egressRefusalIn } from '../../../common/egress';
import { isRecord } from '../is-record';
import {
  abortedError,
  egressRefusedError,
  malformedError,
  ProviderError,
  timeoutError,
} from './provider-error';
import { connectionError, fromUpstreamStatus } from './upstream-error';

/** The call the error came from (an adapter's `AdapterContext` fits). */
export interface SdkErrorContext {
  signal: AbortSignal;
  timeoutMs: number;
  /** Scrubbed from anything the provider echoes back. */
  apiKey: string;
}

type ErrorClass<T = object> = abstract new (...args: never[]) => Error & T;

/**
 * What an adapter tells the translator about its SDK. The official SDKs (`openai`,
 * `@anthropic-ai/sdk`) are generated from the same template and share this error hierarchy;
 * each adapter passes its own SDK's classes and its provider's error `type` vocabulary, so this
 * file knows no SDK.
 */
export interface SdkErrors {
  APIUserAbortError: ErrorClass;
  APIConnectionTimeoutError: ErrorClass;
  APIConnectionError: ErrorClass;
  APIError: ErrorClass<{ status?: unknown; headers?: unknown; error?: unknown }>;
  /** Error `type` values of the provider, for errors that arrive inside a stream (no HTTP status). */
  typeStatus: Readonly<Record<string, number>>;
}

/**
 * An error delivered inside a stream (OpenRouter's `{"error": {"code": 502, ...}}` chunk, Anthropic's
 * `event: error`) has no HTTP status; derive one from the body so it is classified like the rest.
 */
function statusFromBody(body: unknown, typeStatus: SdkErrors['typeStatus']): number {
  const inner = isRecord(body) && isRecord(body.error) ? body.error : body;
  if (isRecord(inner)) {
    const code = Number(inner.code);
    if (Number.isInteger(code) && code >= 400 && code < 600) return code;
    if (typeof inner.type === 'string' && Object.hasOwn(typeStatus, inner.type))
      return typeStatus[inner.type];
  }
  return 502;
}

/**
 * Errors are inspected by shape, not `instanceof Error`: the fetch implementation (undici) and
 * its JSON parser may throw objects from another realm (as under jest), failing instanceof.
 */
function errorField(err: unknown, field: 'name' | 'message'): string {
  const v: unknown =
    typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[field] : undefined;
  return typeof v === 'string' ? v : '';
}

/** Turns whatever an SDK built on this error hierarchy threw into a classified ProviderError. */
export function translateSdkError(
  service: ServiceName,
  err: unknown,
  ctx: SdkErrorContext,
  sdk: SdkErrors,
): ProviderError {
  if (err instanceof ProviderError) return err;
  // Whatever the SDK says after our signal fired is a consequence of the abort; the resilience
  // layer knows whether it was the deadline or the caller and relabels accordingly.
  if (ctx.signal.aborted) return abortedError(service);
  if (err instanceof sdk.APIUserAbortError) return abortedError(service);
  if (err instanceof sdk.APIConnectionTimeoutError) return timeoutError(service, ctx.timeoutMs);
  if (err instanceof sdk.APIConnectionError) {
    // The egress-checked fetch refused the destination (at connect time, after DNS).
    if (egressRefusalIn(err)) return egressRefusedError(service);
    return connectionError(service, err.message, [ctx.apiKey]);
  }
  if (err instanceof sdk.APIError) {
    const body: unknown = err.error;
    const status =
      typeof err.status === 'number' ? err.status : statusFromBody(body, sdk.typeStatus);
    // Duck-typed: under test runners the fetch implementation's Headers may come from another realm.
    const raw: unknown = err.headers;
    const headers =
      typeof (raw as Headers | undefined)?.get === 'function' ? (raw as Headers) : undefined;
    return fromUpstreamStatus(service, { status, headers, body, message: err.message }, [
      ctx.apiKey,
    ]);
  }
  const name = errorField(err, 'name');
  if (name === 'SyntaxError') return malformedError(service, 'invalid JSON', err);
  if (name === 'AbortError' || name === 'TimeoutError') return abortedError(service);
  if (egressRefusalIn(err)) return egressRefusedError(service);
  return connectionError(service, errorField(err, 'message') || String(err), [ctx.apiKey]);
}
