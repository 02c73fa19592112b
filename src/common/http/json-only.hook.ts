import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { AppException, ErrorCode } from '../errors';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * The API speaks JSON only. Fastify would otherwise parse text/plain bodies into strings that
 * then fail validation with a confusing message; a 415 says what is actually wrong.
 */
export function rejectNonJsonBodies(
  req: FastifyRequest,
  _reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  if (!BODY_METHODS.has(req.method)) return done();
  const hasBody =
    req.headers['content-length'] !== undefined
      ? req.headers['content-length'] !== '0'
      : req.headers['transfer-encoding'] !== undefined;
  const type = req.headers['content-type'];
  if (!hasBody || type === undefined || /^application\/([\w.+-]+\+)?json\b/i.test(type))
    return done();
  done(
    new AppException(
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      `Unsupported content type "${type.split(';')[0]}": send application/json`,
    ),
  );
}
