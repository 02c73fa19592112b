import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppException, ErrorCode } from '../errors';
import { findJsonProblem, MAX_JSON_DEPTH, MAX_JSON_NODES } from '../validation/json-guard';

/**
 * Parses a JSON request body and applies the request-data rules of `json-guard` right away,
 * before a guard, a pipe or a controller sees the body: the depth and size caps come before
 * any recursive or per-element walk, and NUL bytes or lone surrogates anywhere in the body are
 * a 400 naming the field, whatever the route and DTO.
 */
export function parseJsonBody(body: Buffer | string): unknown {
  let text = typeof body === 'string' ? body : body.toString('utf8');
  // A UTF-8 byte order mark is tolerated, as Fastify's own JSON parser did.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') {
    throw new AppException(
      ErrorCode.VALIDATION_FAILED,
      'Request body is empty but content-type is application/json',
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new AppException(
      ErrorCode.VALIDATION_FAILED,
      `Request body is not valid JSON: ${(e as Error).message}`,
    );
  }
  const problem = findJsonProblem(value, {
    maxDepth: MAX_JSON_DEPTH,
    maxNodes: MAX_JSON_NODES,
    raw: text,
  });
  if (problem) {
    throw new AppException(ErrorCode.VALIDATION_FAILED, `Validation failed: ${problem.message}`, {
      param: problem.path || undefined,
      details: [{ field: problem.path, problems: [problem.message] }],
    });
  }
  return value;
}

/** Installs `parseJsonBody` as the application/json parser (Nest's default is not installed). */
export function useGuardedJsonParser(app: NestFastifyApplication, bodyLimit: number): void {
  app.useBodyParser('application/json', { bodyLimit }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
}
