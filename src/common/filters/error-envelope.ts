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

/** The error body for a request to `url`: OpenAI's shape on /v1, the gateway's envelope elsewhere. */
export function errorBodyFor(
  url: string | undefined,
  e: NormalisedError,
  requestId: string,
): GatewayErrorBody | OpenAiErrorBody {
  return isOpenAiRoute(url) ? toOpenAiBody(e, requestId) : toGatewayBody(e, requestId);
}
