import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { AppException, ErrorCode } from '../errors';
import { errorBodyFor, toGatewayBody, toOpenAiBody } from '../filters/error-envelope';
import { normaliseError } from '../filters/normalise-error';
import { REQUEST_ID_HEADER } from './request-id';

/**
 * Refusals made below the application: Node's HTTP parser (`clientError`: headers over the
 * limit, a malformed request line, a request not received within the timeout) and Fastify's
 * router (a path whose percent-encoding does not decode). They get the same envelope, request
 * id and security headers as every other response, instead of Node's and Fastify's bare
 * defaults.
 */

type Headers = Readonly<Record<string, string>>;

interface ClientErrorCase {
  status: number;
  code: ErrorCode;
  message: string;
}

function clientErrorCase(err: NodeJS.ErrnoException): ClientErrorCase {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        code: ErrorCode.PAYLOAD_TOO_LARGE,
        message: 'Request headers are larger than the allowed limit',
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        code: ErrorCode.REQUEST_TIMEOUT,
        message: 'The request was not received in time (headers and body must arrive promptly)',
      };
    default:
      return {
        status: 400,
        code: ErrorCode.VALIDATION_FAILED,
        message: 'Malformed HTTP request',
      };
  }
}

/**
 * The path of a request the parser gave up on is not known, so the body fits both contracts:
 * the gateway's envelope (`success`, `error.code`, `error.request_id`) and OpenAI's error
 * shape (`error.message`, `error.type`, `error.param`), which the OpenAI SDK reads on /v1.
 */
function bothShapes(c: ClientErrorCase, requestId: string) {
  const gateway = toGatewayBody(c, requestId);
  const openAi = toOpenAiBody(c).error;
  return {
    ...gateway,
    error: { ...gateway.error, type: openAi.type, param: openAi.param },
  };
}

/** Fastify's `clientErrorHandler`: answers on the raw socket, then closes it. */
export function clientErrorHandler(securityHeaders: Headers) {
  return function onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
    // A reset connection has nobody left to answer.
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    // Never write a second status line into a response that has started.
    if (socket.writable && !inFlight?.headersSent) {
      const c = clientErrorCase(err);
      const requestId = randomUUID();
      const body = JSON.stringify(bothShapes(c, requestId));
      const lines = [
        `HTTP/1.1 ${c.status} ${STATUS_CODES[c.status] ?? 'Error'}`,
        ...Object.entries(securityHeaders).map(([k, v]) => `${k}: ${v}`),
        `${REQUEST_ID_HEADER}: ${requestId}`,
        'content-type: application/json; charset=utf-8',
        `content-length: ${Buffer.byteLength(body)}`,
        // The parser's state is unknown after an error: this connection cannot be reused.
        'connection: close',
      ];
      socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
    }
    socket.destroy(err);
  };
}

const FRAMEWORK_MESSAGES: Record<string, string> = {
  FST_ERR_BAD_URL: 'The request path is not a valid URL (malformed percent-encoding)',
};

/** Fastify's `frameworkErrors`: errors raised while routing, before any hook or handler. */
export function frameworkErrorHandler(
  securityHeaders: Headers,
): NonNullable<FastifyServerOptions['frameworkErrors']> {
  return (error: Error & { code?: string }, req: FastifyRequest, reply: FastifyReply) => {
    const known = error.code ? FRAMEWORK_MESSAGES[error.code] : undefined;
    const normalised = normaliseError(
      known ? new AppException(ErrorCode.VALIDATION_FAILED, known) : error,
    );
    void reply
      .headers(securityHeaders)
      .header(REQUEST_ID_HEADER, req.id)
      .status(normalised.status)
      .header('content-type', 'application/json; charset=utf-8')
      .send(errorBodyFor(req.url, normalised, String(req.id)));
  };
}
