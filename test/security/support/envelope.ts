import type { RawResponse } from './raw-http';

const REQUEST_ID = 'x-request-id';

/** Headers every response carries, refusals made by Fastify or Node included. */
const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'SAMEORIGIN',
};

/**
 * What is wrong with a response, or undefined when it is acceptable: never a 5xx; every 4xx
 * in the gateway's envelope (OpenAI's error shape on /v1) with the request id, and the
 * security headers on every response.
 */
export function responseProblem(
  path: string,
  method: string,
  res: RawResponse,
): string | undefined {
  if (res.status >= 500) return `status ${res.status}: ${res.text.slice(0, 300)}`;
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    if (res.headers[name] !== value) return `header ${name} is ${String(res.headers[name])}`;
  }
  const requestId = res.headers[REQUEST_ID];
  if (typeof requestId !== 'string' || requestId === '') return 'no x-request-id header';
  if (res.status < 400 || method === 'HEAD') return undefined;
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    return `${res.status} body is not JSON: ${res.text.slice(0, 200)}`;
  }
  return isOpenAiPath(path) ? openAiShapeProblem(body) : envelopeProblem(body, requestId);
}

export function isOpenAiPath(path: string): boolean {
  return path === '/v1' || path.startsWith('/v1/') || path.startsWith('/v1?');
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function envelopeProblem(body: unknown, requestId: string): string | undefined {
  if (!isObj(body) || body.success !== false || !isObj(body.error)) {
    return `not the error envelope: ${JSON.stringify(body).slice(0, 200)}`;
  }
  const e = body.error;
  if (typeof e.code !== 'string' || typeof e.message !== 'string')
    return 'envelope without code/message';
  if (e.code === 'INTERNAL') return 'INTERNAL code on a 4xx';
  if (e.request_id !== requestId) {
    return `envelope request_id ${String(e.request_id)} differs from header ${requestId}`;
  }
  return undefined;
}

function openAiShapeProblem(body: unknown): string | undefined {
  if (!isObj(body) || !isObj(body.error)) {
    return `not OpenAI's error shape: ${JSON.stringify(body).slice(0, 200)}`;
  }
  const e = body.error;
  if (typeof e.message !== 'string' || typeof e.type !== 'string') {
    return 'OpenAI error without message/type';
  }
  return undefined;
}
