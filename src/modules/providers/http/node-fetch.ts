import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import {
  assertDestination,
  checkedLookup,
  EgressError,
  type EgressPolicy,
} from '../../../common/egress';

type Fetch = typeof globalThis.fetch;

/** Statuses whose Response must not have a body (the constructor throws otherwise). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * A `fetch` for the provider SDKs (both accept one) over node:http(s) with keep-alive agents.
 *
 * Why: Node 20's global fetch (undici driven through WHATWG streams) costs about 0.3 ms of CPU
 * per call more than node:http for the same request (see bench/README.md); on a gateway that
 * is most of its own overhead. Connections are explicitly pooled and reused (LIFO, so the
 * warmest socket goes first). JSON answers are buffered and handed over whole; event streams
 * stay streams. Bodies that are streams or forms (uploads, unused by the gateway) go to the
 * global fetch. Unlike fetch, redirects are not followed: the provider APIs do not redirect,
 * and a redirect to elsewhere should not silently carry the API key.
 *
 * With `egress`, the fetch is for endpoints a tenant configured: every destination passes the
 * egress policy (IP literals and loopback names before connecting, host names through a checked
 * DNS lookup when a socket connects, which then connects to the address it checked), it keeps
 * its own connection pool (a socket opened for a trusted, deployment-configured upstream is
 * never reused for a tenant's URL), and nothing goes to the unchecked global fetch.
 */
export function createNodeFetch(options: { egress?: EgressPolicy } = {}): Fetch {
  const { egress } = options;
  const agents = {
    'http:': new HttpAgent({ keepAlive: true, scheduling: 'lifo' }),
    'https:': new HttpsAgent({ keepAlive: true, scheduling: 'lifo' }),
  };
  const nodeFetch = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const body = init.body;
    const plainBody =
      body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
    if (input instanceof Request || !plainBody) {
      if (egress)
        return refuse(
          new EgressError('unsupported request for an egress-checked endpoint', 'bad_url'),
        );
      return globalThis.fetch(input, init);
    }
    const url = typeof input === 'string' ? new URL(input) : input;
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      if (egress) return refuse(new EgressError(`${url.protocol} is not allowed`, 'bad_url'));
      return globalThis.fetch(input, init);
    }
    let lookup: LookupFunction | undefined;
    if (egress) {
      try {
        lookup = checkedLookup(egress, url.hostname, assertDestination(egress, url));
      } catch (e) {
        return refuse(e as Error);
      }
    }
    return send(url, init, body, agents[url.protocol], lookup);
  };
  return nodeFetch;
}

/** A refusal as fetch would report a network failure (the SDKs wrap it as a connection error). */
const refuse = (cause: Error): Promise<Response> =>
  Promise.reject(new TypeError('fetch failed', { cause }));

function send(
  url: URL,
  init: RequestInit,
  body: string | Uint8Array | null | undefined,
  agent: HttpAgent,
  lookup: LookupFunction | undefined,
): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    const headers = plainHeaders(init.headers);
    // fetch negotiates compression itself; keep that behaviour (and the smaller transfers).
    headers['accept-encoding'] ??= 'gzip, deflate, br';
    if (body !== undefined && body !== null) {
      headers['content-length'] = String(
        typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
      );
    }
    // An abort once the answer has started ends its body with an AbortError, as with fetch
    // (node:http would report ECONNRESET). Registered before node:http's own abort listener,
    // so it runs first.
    const signal = init.signal ?? undefined;
    let responseBody: Readable | undefined;
    const onAbort = () =>
      responseBody?.destroy(new DOMException('This operation was aborted', 'AbortError'));
    const done = () => signal?.removeEventListener('abort', onAbort);
    signal?.addEventListener('abort', onAbort, { once: true });
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(
      url,
      {
        method: (init.method ?? 'GET').toUpperCase(),
        headers,
        agent,
        signal,
        // Only set for egress-checked fetches: used when the agent opens a new socket.
        ...(lookup ? { lookup } : {}),
      },
      (res) => {
        const status = res.statusCode ?? 502;
        const responseInit = {
          status,
          statusText: res.statusMessage ?? '',
          headers: responseHeaders(res),
        };
        if (NULL_BODY.has(status) || init.method?.toUpperCase() === 'HEAD') {
          done();
          res.resume();
          resolve(new Response(null, responseInit));
          return;
        }
        const stream = decoded(res);
        responseBody = stream;
        stream.once('close', done);
        if (isEventStream(res) && status >= 200 && status < 300) {
          resolve(streamingResponse(stream, responseInit));
          return;
        }
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
          resolve(bufferedResponse(all, responseInit));
        });
        stream.on('error', (e) => reject(asFetchError(e)));
      },
    );
    req.on('error', (e) => {
      done();
      reject(asFetchError(e));
    });
    req.end(body ?? undefined);
  });
}

/**
 * A Response over a body already in memory. The standard constructor wraps any body in a
 * WHATWG stream, and `json()` reads it back through that stream; both showed in CPU profiles.
 * The SDKs call text()/json() on such responses; `body` and the rest still work.
 */
function bufferedResponse(buffered: Buffer, init: ResponseInit): Response {
  const res = new Response(null, init);
  const text = () => buffered.toString('utf8');
  Object.defineProperties(res, {
    body: { get: () => Readable.toWeb(Readable.from([buffered])) },
    text: { value: () => Promise.resolve(text()) },
    json: {
      value: () => {
        try {
          return Promise.resolve(JSON.parse(text()) as unknown);
        } catch (e) {
          return Promise.reject(e instanceof Error ? e : new Error(String(e)));
        }
      },
    },
    arrayBuffer: {
      value: () =>
        Promise.resolve(
          buffered.buffer.slice(buffered.byteOffset, buffered.byteOffset + buffered.byteLength),
        ),
    },
    clone: { value: () => bufferedResponse(buffered, init) },
  });
  return res;
}

/**
 * A Response whose `body` is the Node stream itself. Both SDKs read a body through its async
 * iterator when it has one (a Node Readable does), which skips the WHATWG stream adapter and
 * its per-chunk promises. Aborting the request destroys the stream with an AbortError, which
 * the SDKs treat as the user's abort, as with fetch.
 */
function streamingResponse(stream: Readable, init: ResponseInit): Response {
  const res = new Response(null, init);
  const text = async () => {
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  Object.defineProperties(res, {
    body: { value: stream },
    text: { value: text },
    json: { value: async () => JSON.parse(await text()) as unknown },
  });
  return res;
}

function plainHeaders(h: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (h === undefined) return out;
  if (h instanceof Headers) {
    h.forEach((value, key) => {
      out[key] = value;
    });
  } else if (Array.isArray(h)) {
    for (const [key, value] of h) out[key.toLowerCase()] = value;
  } else {
    for (const [key, value] of Object.entries(h as Record<string, string>)) {
      out[key.toLowerCase()] = value;
    }
  }
  return out;
}

function responseHeaders(res: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = res.rawHeaders;
  // A compressed body is decoded here: its encoding and length no longer describe what is handed over.
  const encoded = res.headers['content-encoding'] !== undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (encoded && (name === 'content-encoding' || name === 'content-length')) continue;
    headers.append(raw[i], raw[i + 1]);
  }
  return headers;
}

function isEventStream(res: IncomingMessage): boolean {
  return (res.headers['content-type'] ?? '').toLowerCase().startsWith('text/event-stream');
}

function decoded(res: IncomingMessage): Readable {
  const encoding = (res.headers['content-encoding'] ?? '').trim().toLowerCase();
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip()
      : encoding === 'deflate'
        ? createInflate()
        : encoding === 'br'
          ? createBrotliDecompress()
          : undefined;
  if (!decoder) return res;
  res.on('error', (e) => decoder.destroy(e));
  return res.pipe(decoder);
}

/**
 * Errors as fetch reports them: an abort stays an AbortError (the SDKs treat it as a user
 * abort); anything else becomes `TypeError('fetch failed', { cause })`, like undici's.
 */
function asFetchError(e: Error): Error {
  if (e.name === 'AbortError') return e;
  return new TypeError('fetch failed', { cause: e });
}
