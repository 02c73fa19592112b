/**
 * A response body as loosely typed JSON: tests assert on its shape with Jest matchers, so a
 * static type would only repeat what the assertions already check.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export async function json(res: Response): Promise<Json> {
  return res.json();
}

export interface JsonCall {
  status: number;
  headers: Headers;
  /** The raw body, for assertions that a secret never appears anywhere in it. */
  text: string;
  body: Json;
}

/**
 * One request to a gateway with an optional JSON body. A bodiless request drops its
 * content-type header: Fastify refuses an empty body that claims to be JSON.
 */
export async function callJson(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<JsonCall> {
  const { 'content-type': _ct, ...bare } = headers;
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? bare : headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    body: text ? JSON.parse(text) : undefined,
  };
}
