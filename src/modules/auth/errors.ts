import { AppException, ErrorCode } from '../../common/errors';

/** 401 in the envelope, with the challenge RFC 6750 asks for. */
export function unauthenticated(message: string): AppException {
  return new AppException(ErrorCode.UNAUTHENTICATED, message, {
    headers: { 'www-authenticate': 'Bearer realm="ai-middleware"' },
  });
}
