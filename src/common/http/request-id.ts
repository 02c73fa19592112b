import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { SAFE_ID_PATTERN } from '../validation/safe-id';

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * Fastify's `genReqId`: keeps a client-sent `x-request-id` when it is safe to echo and log,
 * otherwise mints a UUID. The id is written back onto the raw headers so the request logger,
 * which sees only the raw request, logs the same id.
 */
export function requestIdFor(req: IncomingMessage): string {
  const sent = req.headers[REQUEST_ID_HEADER];
  const id = typeof sent === 'string' && SAFE_ID_PATTERN.test(sent) ? sent : randomUUID();
  req.headers[REQUEST_ID_HEADER] = id;
  return id;
}
