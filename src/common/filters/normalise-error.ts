import { HttpException } from '@nestjs/common';
import { AppException, ErrorCode, isStoreUnavailable, storeUnavailable } from '../errors';
import type { NormalisedError } from './error-envelope';

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: ErrorCode.VALIDATION_FAILED,
  401: ErrorCode.UNAUTHENTICATED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  405: ErrorCode.METHOD_NOT_ALLOWED,
  408: ErrorCode.REQUEST_TIMEOUT,
  409: ErrorCode.CONFLICT,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  422: ErrorCode.VALIDATION_FAILED,
  429: ErrorCode.RATE_LIMITED,
  501: ErrorCode.NOT_IMPLEMENTED,
  503: ErrorCode.SERVICE_UNAVAILABLE,
};

/** Errors raised by Fastify itself (body parsing, limits) before a route runs. */
interface FastifyError {
  code: string;
  statusCode: number;
  message: string;
}

function isFastifyError(e: unknown): e is FastifyError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as FastifyError).statusCode === 'number' &&
    typeof (e as FastifyError).code === 'string' &&
    (e as FastifyError).code.startsWith('FST_')
  );
}

const FASTIFY_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'Request body is larger than the allowed limit',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported content type: send application/json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Request body is empty but content-type is application/json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'Request body is not valid JSON',
};

function httpExceptionMessage(e: HttpException): { message: string; details?: unknown } {
  const res = e.getResponse();
  if (typeof res === 'string') return { message: res };
  const body = res as { message?: unknown; details?: unknown };
  if (Array.isArray(body.message)) {
    return { message: body.message.map(String).join('; '), details: body.message };
  }
  return {
    message: typeof body.message === 'string' ? body.message : e.message,
    details: body.details,
  };
}

/**
 * Turns anything thrown into a status, a code from the enum and a client-safe message.
 * Driver errors of a storage service that is down or silent become 503 SERVICE_UNAVAILABLE
 * with Retry-After (see `isStoreUnavailable`), wherever they were thrown. Other unknown errors
 * become a bare 500: their message may hold internals, so it is never shown.
 */
export function normaliseError(e: unknown): NormalisedError {
  if (e instanceof AppException) {
    return {
      status: e.status,
      code: e.code,
      message: e.message,
      details: e.details,
      param: e.param,
      headers: e.headers,
    };
  }
  if (e instanceof HttpException) {
    const status = e.getStatus();
    const { message, details } = httpExceptionMessage(e);
    const code =
      CODE_BY_STATUS[status] ?? (status >= 500 ? ErrorCode.INTERNAL : ErrorCode.VALIDATION_FAILED);
    const friendly =
      status === 404 && /^Cannot [A-Z]+ /.test(message)
        ? `Route ${message.slice('Cannot '.length)} not found`
        : message;
    return {
      status,
      code,
      message: status >= 500 && code === ErrorCode.INTERNAL ? 'Internal server error' : friendly,
      details,
    };
  }
  if (isFastifyError(e) && e.statusCode < 500) {
    const code = CODE_BY_STATUS[e.statusCode] ?? ErrorCode.VALIDATION_FAILED;
    return { status: e.statusCode, code, message: FASTIFY_MESSAGES[e.code] ?? e.message };
  }
  if (e instanceof SyntaxError && (e as SyntaxError & { statusCode?: number }).statusCode === 400) {
    return {
      status: 400,
      code: ErrorCode.VALIDATION_FAILED,
      message: `Request body is not valid JSON: ${e.message}`,
    };
  }
  // A storage service that is down or silent is a passing condition: 503 with Retry-After.
  if (isStoreUnavailable(e)) return normaliseError(storeUnavailable(e));
  return { status: 500, code: ErrorCode.INTERNAL, message: 'Internal server error' };
}
