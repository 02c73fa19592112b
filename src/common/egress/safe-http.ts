import * as dns from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { EgressPolicy, effectivePort, stripBrackets } from './egress-policy';

export type EgressFailure =
  'blocked' | 'timeout' | 'too_large' | 'network' | 'bad_url' | 'redirects';

export class EgressError extends Error {
  constructor(
    message: string,
    readonly reason: EgressFailure,
  ) {
    super(message);
    this.name = 'EgressError';
  }
}

/** Whether `err` is, or was caused by, an egress refusal (fetch and SDKs wrap it in `cause`). */
export function egressRefusalIn(err: unknown): EgressError | undefined {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (e instanceof EgressError)
      return e.reason === 'blocked' || e.reason === 'bad_url' ? e : undefined;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export interface SafeRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxResponseBytes: number;
  /** Redirects are followed only through the same policy check; 0 disables them. */
  maxRedirects?: number;
  signal?: AbortSignal;
}

export interface SafeResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  url: string;
}

interface AgentPair {
  http: http.Agent;
  https: https.Agent;
}

/**
 * Keep-alive pools per policy: a pooled socket was connected to an address this same policy
 * accepted, so reusing it cannot bypass a stricter policy.
 */
const agentsByPolicy = new WeakMap<EgressPolicy, AgentPair>();
function agentsFor(policy: EgressPolicy): AgentPair {
  let pair = agentsByPolicy.get(policy);
  if (!pair) {
    pair = {
      http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
      https: new https.Agent({ keepAlive: true, maxSockets: 64 }),
    };
    agentsByPolicy.set(policy, pair);
  }
  return pair;
}

type Resolver = (
  hostname: string,
  options: dns.LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
) => void;

const blockedError = (hostname: string) =>
  // The resolved address is left out on purpose: it would tell a tenant what internal names resolve to.
  new EgressError(`egress to ${hostname} is blocked by the egress policy`, 'blocked');

/**
 * A DNS lookup for one destination that checks every resolved address against the policy and
 * hands the socket the address it checked, so a DNS answer cannot change between the check and
 * the connect. Sockets only call it when they connect, so a pooled keep-alive socket was
 * checked once, when it was opened. `resolve` is injectable for tests (DNS rebinding).
 */
export function checkedLookup(
  policy: EgressPolicy,
  hostname: string,
  port: number,
  resolve: Resolver = dns.lookup,
): LookupFunction {
  return (_host, options, callback) => {
    const done = (address: string, family: number) => {
      if (!policy.allows(hostname, address, port)) {
        callback(blockedError(hostname), '', 0);
      } else if (options.all) {
        (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, [
          { address, family },
        ]);
      } else {
        callback(null, address, family);
      }
    };
    const literal = stripBrackets(hostname);
    const fam = isIP(literal);
    if (fam !== 0) return done(literal, fam);
    resolve(hostname, { all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      // Refuse when any answer is blocked: a mixed answer is a classic DNS-rebinding setup.
      if (addresses.some((a) => !policy.allows(hostname, a.address, port))) {
        return callback(blockedError(hostname), '', 0);
      }
      const first = addresses[0];
      if (!first) return callback(new EgressError(`${hostname} did not resolve`, 'network'), '', 0);
      done(first.address, first.family);
    });
  };
}

/**
 * What can be refused before connecting: the scheme, an IP literal (sockets skip the lookup hook
 * for those) and loopback names. Throws an EgressError; returns the port to check lookups with.
 */
export function assertDestination(policy: EgressPolicy, url: URL): number {
  const refusal = policy.refusal(url);
  if (refusal) {
    const reason = url.protocol === 'http:' || url.protocol === 'https:' ? 'blocked' : 'bad_url';
    throw new EgressError(
      reason === 'blocked'
        ? `egress to ${url.hostname} is blocked by the egress policy: ${refusal}`
        : refusal,
      reason,
    );
  }
  return effectivePort(url);
}

/**
 * Headers that may follow a redirect to another origin. Everything else the caller set (a
 * tool's credentials, a webhook receiver's auth) was meant for the first origin only.
 */
const CROSS_ORIGIN_SAFE_HEADERS = new Set(['accept', 'accept-language', 'user-agent']);

/** One HTTP(S) request through the egress policy, with a timeout and a response size cap. */
export async function safeRequest(
  policy: EgressPolicy,
  rawUrl: string,
  req: SafeRequest,
): Promise<SafeResponse> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new EgressError(`invalid URL "${rawUrl}"`, 'bad_url');
  }
  const maxRedirects = req.maxRedirects ?? 3;
  for (let hop = 0; ; hop++) {
    const res = await requestOnce(policy, url, req);
    const location = res.headers.location;
    if (res.status >= 300 && res.status < 400 && location && maxRedirects > 0) {
      if (hop >= maxRedirects)
        throw new EgressError(`more than ${maxRedirects} redirects`, 'redirects');
      const next = new URL(location, url);
      req = redirected(req, res.status, url, next);
      url = next;
      continue;
    }
    return res;
  }
}

/**
 * The request to send after a redirect, as browsers do it (fetch's rules): 303, and 301/302
 * after a POST, become a GET without a body; 307/308 repeat the method and body. To another
 * origin the caller's headers are dropped, and a body is never re-sent there (a 307/308 that
 * would need it is refused), so a tool's or webhook's secrets stay with the origin they were
 * configured for.
 */
function redirected(req: SafeRequest, status: number, from: URL, to: URL): SafeRequest {
  const method = (req.method ?? 'GET').toUpperCase();
  const toGet = status === 303 || ((status === 301 || status === 302) && method === 'POST');
  let next: SafeRequest = toGet ? { ...req, method: 'GET', body: undefined } : req;
  if (from.origin !== to.origin) {
    if (next.body !== undefined) {
      throw new EgressError(
        `refusing a ${status} redirect to another origin that would resend the request body`,
        'redirects',
      );
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(next.headers ?? {})) {
      if (CROSS_ORIGIN_SAFE_HEADERS.has(k.toLowerCase())) headers[k] = v;
    }
    next = { ...next, headers };
  } else if (toGet && next.headers) {
    const headers = { ...next.headers };
    for (const k of Object.keys(headers)) {
      if (k.toLowerCase() === 'content-type') delete headers[k];
    }
    next = { ...next, headers };
  }
  return next;
}

function requestOnce(policy: EgressPolicy, url: URL, req: SafeRequest): Promise<SafeResponse> {
  let port: number;
  try {
    port = assertDestination(policy, url);
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new EgressError(String(e), 'blocked'));
  }
  const isHttps = url.protocol === 'https:';
  const lib = isHttps ? https : http;
  const agents = agentsFor(policy);
  return new Promise<SafeResponse>((resolve, reject) => {
    let settled = false;
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(e instanceof EgressError ? e : new EgressError(e.message, 'network'));
    };
    const headers: Record<string, string> = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    const request = lib.request(url, {
      method: req.method ?? 'GET',
      headers,
      agent: isHttps ? agents.https : agents.http,
      lookup: checkedLookup(policy, url.hostname, port),
      timeout: req.timeoutMs,
      signal: req.signal,
    });
    const timer = setTimeout(() => {
      fail(new EgressError(`no complete answer within ${req.timeoutMs} ms`, 'timeout'));
      request.destroy();
    }, req.timeoutMs);
    request.on('timeout', () => {
      fail(new EgressError(`no answer within ${req.timeoutMs} ms`, 'timeout'));
      request.destroy();
    });
    request.on('error', fail);
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > req.maxResponseBytes) {
          fail(new EgressError(`response larger than ${req.maxResponseBytes} bytes`, 'too_large'));
          request.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          url: url.toString(),
        });
      });
      res.on('error', fail);
    });
    request.end(req.body);
  });
}
