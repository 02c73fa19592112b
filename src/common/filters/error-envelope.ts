import { ErrorCode } from '../errors';
import { isOpenAiRoute } from '../http/is-openai-route';

/** DESIGN's error envelope for every route but the OpenAI-compatible ones. */
export interface GatewayErrorBody {
  success: false;
  error: { code: ErrorCode; message: string; details?: unknown; request_id: string };
}

/**
 * OpenAI's error shape, so the official SDK raises its usual error classes, plus the request id
 * (the `x-request-id` header's value) so a client can quote it; SDKs ignore unknown fields.
 */
export interface OpenAiErrorBody {
  error: {
    message: string;
    type: string;
    param: string | null;
    code: string | null;
    request_id?: string;
  };
}

export interface NormalisedError {
  status: number;
  code: ErrorCode;
  message: string;
  details?: unknown;
  param?: string;
  headers?: Record<string, string>;
}

const OPENAI_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  405: 'invalid_request_error',
  409: 'conflict_error',
  413: 'invalid_request_error',
  415: 'invalid_request_error',
  422: 'invalid_request_error',
  429: 'rate_limit_error',
};

export function toGatewayBody(e: NormalisedError, requestId: string): GatewayErrorBody {
  const error: GatewayErrorBody['error'] = {
    code: e.code,
    message: e.message,
    request_id: requestId,
  };
  if (e.details !== undefined) error.details = e.details;
  return { success: false, error };
}

export function toOpenAiBody(e: NormalisedError, requestId?: string): OpenAiErrorBody {
  const type =
    OPENAI_TYPES[e.status] ?? (e.status >= 500 ? 'server_error' : 'invalid_request_error');
  const error: OpenAiErrorBody['error'] = {
    message: e.message,
    type,
    param: e.param ?? null,
    code: e.code.toLowerCase(),
  };
  if (requestId !== undefined) error.request_id = requestId;
  return { error };
}

/** An error shape a set of routes answers in (an ingress format's own, e.g. Anthropic's). */
export type ErrorBodyShape = (e: NormalisedError, requestId: string) => object;

/** Route prefixes with their own error shape, longest first (the most specific prefix wins). */
const routeShapes: Array<{ prefix: string; body: ErrorBodyShape }> = [];

/**
 * Routes under `prefix` (the path itself, or below it) answer errors in `body`'s shape. The
 * completions ingress list registers each format's shape here at load time.
 */
export function registerRouteErrorShape(prefix: string, body: ErrorBodyShape): void {
  const at = routeShapes.findIndex((s) => s.prefix === prefix);
  if (at >= 0) routeShapes.splice(at, 1);
  routeShapes.push({ prefix, body });
  routeShapes.sort((a, b) => b.prefix.length - a.prefix.length);
}

function underPrefix(url: string, prefix: string): boolean {
  if (!url.startsWith(prefix)) return false;
  const next = url.charAt(prefix.length);
  return next === '' || next === '/' || next === '?';
}

/**
 * The error body for a request to `url`: a registered route shape where one matches, else
 * OpenAI's shape on /v1 and the gateway's envelope elsewhere.
 */
export function errorBodyFor(
  url: string | undefined,
  e: NormalisedError,
  requestId: string,
): object {
  if (url !== undefined) {
    for (const s of routeShapes) if (underPrefix(url, s.prefix)) return s.body(e, requestId);
  }
  return isOpenAiRoute(url) ? toOpenAiBody(e, requestId) : toGatewayBody(e, requestId);
}
