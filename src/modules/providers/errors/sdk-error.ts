import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { ServiceName } from '../provider.types';
import { egressRefusalIn } from '../../../common/egress';
import {
  abortedError,
  egressRefusedError,
  malformedError,
  ProviderError,
  timeoutError,
} from './provider-error';
import { connectionError, fromUpstreamStatus } from './upstream-error';

export interface SdkErrorContext {
  signal: AbortSignal;
  timeoutMs: number;
  /** Credentials to scrub from anything the provider echoes back. */
  secrets: readonly string[];
}

/** Error `type` values (Anthropic's and OpenAI's), for errors that arrive inside a stream. */
const TYPE_STATUS: Record<string, number> = {
  server_error: 500,
  rate_limit_exceeded: 429,
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * An error delivered inside a stream (OpenRouter's `{"error": {"code": 502, ...}}` chunk, Anthropic's
 * `event: error`) has no HTTP status; derive one from the body so it is classified like the rest.
 */
function statusFromBody(body: unknown): number {
  const inner = isRecord(body) && isRecord(body.error) ? body.error : body;
  if (isRecord(inner)) {
    const code = Number(inner.code);
    if (Number.isInteger(code) && code >= 400 && code < 600) return code;
    if (typeof inner.type === 'string' && TYPE_STATUS[inner.type]) return TYPE_STATUS[inner.type];
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

/** Turns whatever either SDK threw into a classified ProviderError. */
export function translateSdkError(
  service: ServiceName,
  err: unknown,
  ctx: SdkErrorContext,
): ProviderError {
  if (err instanceof ProviderError) return err;
  // Whatever the SDK says after our signal fired is a consequence of the abort; the resilience
  // layer knows whether it was the deadline or the caller and relabels accordingly.
  if (ctx.signal.aborted) return abortedError(service);
  if (err instanceof OpenAI.APIUserAbortError || err instanceof Anthropic.APIUserAbortError) {
    return abortedError(service);
  }
  if (
    err instanceof OpenAI.APIConnectionTimeoutError ||
    err instanceof Anthropic.APIConnectionTimeoutError
  ) {
    return timeoutError(service, ctx.timeoutMs);
  }
  if (err instanceof OpenAI.APIConnectionError || err instanceof Anthropic.APIConnectionError) {
    // The egress-checked fetch refused the destination (at connect time, after DNS).
    if (egressRefusalIn(err)) return egressRefusedError(service);
    return connectionError(service, err.message, ctx.secrets);
  }
  if (err instanceof OpenAI.APIError || err instanceof Anthropic.APIError) {
    const body: unknown = err.error;
    const status = typeof err.status === 'number' ? err.status : statusFromBody(body);
    // Duck-typed: under test runners the fetch implementation's Headers may come from another realm.
    const raw: unknown = err.headers;
    const headers =
      typeof (raw as Headers | undefined)?.get === 'function' ? (raw as Headers) : undefined;
    return fromUpstreamStatus(
      service,
      { status, headers, body, message: err.message },
      ctx.secrets,
    );
  }
  const name = errorField(err, 'name');
  if (name === 'SyntaxError') return malformedError(service, 'invalid JSON', err);
  if (name === 'AbortError' || name === 'TimeoutError') return abortedError(service);
  if (egressRefusalIn(err)) return egressRefusedError(service);
  return connectionError(service, errorField(err, 'message') || String(err), ctx.secrets);
}
