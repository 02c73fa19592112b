import { createHash } from 'node:crypto';
import type http from 'node:http';

/** Vector length when the request names no `dimensions`: short, so answers stay small. */
export const MOCK_EMBEDDING_DIMENSIONS = 8;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isToken = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;

/** The request's inputs as strings (token arrays joined), or an error message. */
function inputsOf(input: unknown): string[] | string {
  if (typeof input === 'string') return input ? [input] : 'input must not be empty';
  if (!Array.isArray(input) || input.length === 0)
    return 'input must be a non-empty string or array';
  if (input.every(isToken)) return [input.join(',')];
  if (input.every((s) => typeof s === 'string' && s.length > 0)) return input as string[];
  if (input.every((t) => Array.isArray(t) && t.length > 0 && t.every(isToken)))
    return (input as number[][]).map((t) => t.join(','));
  return 'input must be a string, strings or token arrays';
}

/**
 * The deterministic vector of `text`: float32-exact values in [-1, 1) drawn from its SHA-256,
 * so a test can compute the expected vector itself (`mockEmbedding`) and a base64 round trip
 * through float32 is lossless.
 */
export function mockEmbedding(text: string, dimensions = MOCK_EMBEDDING_DIMENSIONS): number[] {
  const out: number[] = [];
  for (let block = 0; out.length < dimensions; block++) {
    const digest = createHash('sha256').update(`${block}:${text}`).digest();
    for (let i = 0; i < digest.length && out.length < dimensions; i++)
      out.push(digest[i] / 128 - 1);
  }
  return out;
}

/** Token count the mock reports: a quarter of the characters, at least one per input. */
export function mockEmbeddingTokens(texts: string[]): number {
  return texts.reduce((n, t) => n + Math.max(1, Math.ceil(t.length / 4)), 0);
}

function float32Base64(v: number[]): string {
  const buf = Buffer.alloc(v.length * 4);
  v.forEach((x, i) => buf.writeFloatLE(x, i * 4));
  return buf.toString('base64');
}

function send(res: http.ServerResponse, status: number, body: unknown, requestId: string): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    'x-request-id': requestId,
  });
  res.end(payload);
}

function invalid(res: http.ServerResponse, message: string, param: string, requestId: string) {
  send(
    res,
    400,
    { error: { message, type: 'invalid_request_error', param, code: null } },
    requestId,
  );
}

/**
 * A `#mock{"status":…,"delay_ms":…}` directive at the end of the first text (what chat tests
 * write in a message): the texts are embedded without it.
 */
function directiveOf(texts: string[]): { status?: number; delay_ms?: number } {
  const at = texts[0].lastIndexOf('#mock{');
  if (at === -1) return {};
  try {
    const d = JSON.parse(texts[0].slice(at + 5)) as Obj;
    texts[0] = texts[0].slice(0, at).trimEnd();
    return {
      status: typeof d.status === 'number' ? d.status : undefined,
      delay_ms: typeof d.delay_ms === 'number' ? d.delay_ms : undefined,
    };
  } catch {
    return {};
  }
}

/**
 * `POST …/embeddings` in OpenAI's documented shape (also what Mistral, Gemini's OpenAI endpoint
 * and OpenRouter answer): `{object: "list", data: [{object: "embedding", index, embedding}],
 * model, usage: {prompt_tokens, total_tokens}}`. Honours `dimensions` (Mistral's
 * `output_dimension`), `encoding_format: "base64"` (little-endian float32) and the `status` and
 * `delay_ms` directives (see `directiveOf`).
 */
export async function handleEmbeddings(
  res: http.ServerResponse,
  body: unknown,
  requestId: string,
): Promise<void> {
  if (!isObj(body)) return invalid(res, 'body must be a JSON object', 'body', requestId);
  if (typeof body.model !== 'string' || !body.model)
    return invalid(res, 'model is required', 'model', requestId);
  const texts = inputsOf(body.input);
  if (typeof texts === 'string') return invalid(res, texts, 'input', requestId);
  const dims = body.dimensions ?? body.output_dimension ?? MOCK_EMBEDDING_DIMENSIONS;
  if (!Number.isInteger(dims) || (dims as number) < 1 || (dims as number) > 4096)
    return invalid(
      res,
      'dimensions must be an integer between 1 and 4096',
      'dimensions',
      requestId,
    );
  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64')
    return invalid(res, 'encoding_format must be float or base64', 'encoding_format', requestId);
  const directive = directiveOf(texts);
  if (directive.delay_ms) {
    // Ends early when the caller goes away, so an aborted request is seen as aborted.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, directive.delay_ms);
      res.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (res.destroyed) return;
  }
  if (directive.status && directive.status >= 400) {
    const error = {
      message: 'mock failure',
      type: 'invalid_request_error',
      param: null,
      code: null,
    };
    return send(res, directive.status, { error }, requestId);
  }
  const tokens = mockEmbeddingTokens(texts);
  send(
    res,
    200,
    {
      object: 'list',
      data: texts.map((t, index) => {
        const v = mockEmbedding(t, dims as number);
        const embedding = format === 'float' ? v : float32Base64(v);
        return { object: 'embedding', index, embedding };
      }),
      model: body.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
    requestId,
  );
}
