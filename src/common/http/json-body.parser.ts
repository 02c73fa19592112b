import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppException, ErrorCode } from '../errors';
import { findJsonProblem, MAX_JSON_DEPTH, MAX_JSON_NODES } from '../validation/json-guard';
import { measureJsonText } from '../validation/json-text-scan';

/** Only text with one of these can hold a string or key the guard refuses. */
const NEEDS_WALK = ['\\u', '__proto__', 'constructor', 'prototype'];
/**
 * Below this size, JSON.parse is cheap whatever the text holds, and walking the parsed value
 * costs less than scanning the text: the limits are checked on the value instead.
 */
const SCAN_FROM_CHARS = 4096;

const refused = (message: string, field = '') =>
  new AppException(ErrorCode.VALIDATION_FAILED, `Validation failed: ${message}`, {
    param: field || undefined,
    details: [{ field, problems: [message] }],
  });

/**
 * Parses a JSON request body and applies the request-data rules of `json-guard` before a
 * guard, a pipe or a controller sees it: depth and size are measured on the text, before
 * JSON.parse builds anything; NUL bytes, lone surrogates and reserved keys anywhere in the
 * body are a 400 naming the field, whatever the route and DTO.
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
  const scanned = text.length >= SCAN_FROM_CHARS;
  if (scanned) {
    const size = measureJsonText(text, { maxDepth: MAX_JSON_DEPTH, maxNodes: MAX_JSON_NODES });
    if (size.depth > MAX_JSON_DEPTH) {
      throw refused(`the request body nests deeper than ${MAX_JSON_DEPTH} levels`);
    }
    if (size.nodes > MAX_JSON_NODES) {
      throw refused(
        `the request body holds more than ${MAX_JSON_NODES} values (array items, object members)`,
      );
    }
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
  if (!scanned || NEEDS_WALK.some((s) => text.includes(s))) {
    const problem = findJsonProblem(value, {
      maxDepth: MAX_JSON_DEPTH,
      maxNodes: MAX_JSON_NODES,
      raw: text,
    });
    if (problem) throw refused(problem.message, problem.path);
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
