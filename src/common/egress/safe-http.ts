import * as dns from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { EgressPolicy } from './egress-policy';

export class EgressError extends Error {
  constructor(
    message: string,
    readonly reason: 'blocked' | 'timeout' | 'too_large' | 'network' | 'bad_url' | 'redirects',
  ) {
    super(message);
    this.name = 'EgressError';
  }
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

/**
 * A DNS lookup that checks every resolved address against the policy and hands the socket the
 * address it checked, so a DNS answer cannot change between the check and the connect.
 */
function checkedLookup(policy: EgressPolicy, hostname: string): LookupFunction {
  return (_host, options, callback) => {
    const literal = hostname.replace(/^\[|\]$/g, '');
    const done = (address: string, family: number) => {
      if (!policy.allows(hostname, address)) {
        callback(
          new EgressError(
            `egress to ${hostname} (${address}) is blocked by the egress policy`,
            'blocked',
          ),
          '',
          0,
        );
        return;
      }
      if (options.all) {
        (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, [
          { address, family },
        ]);
      } else {
        callback(null, address, family);
      }
    };
    const fam = isIP(literal);
    if (fam !== 0) return done(literal, fam);
    dns.lookup(hostname, { all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      // Refuse when any answer is blocked: a mixed answer is a classic DNS-rebinding setup.
      const bad = addresses.find((a) => !policy.allows(hostname, a.address));
      if (bad) {
        callback(
          new EgressError(
            `egress to ${hostname} (${bad.address}) is blocked by the egress policy`,
            'blocked',
          ),
          '',
          0,
        );
        return;
      }
      const first = addresses[0];
      if (!first) return callback(new EgressError(`${hostname} did not resolve`, 'network'), '', 0);
      done(first.address, first.family);
    });
  };
}

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
      url = new URL(location, url);
      // 303 (and historically 301/302 on POST) turn into GET without a body.
      if (res.status === 303) req = { ...req, method: 'GET', body: undefined };
      continue;
    }
    return res;
  }
}

function requestOnce(policy: EgressPolicy, url: URL, req: SafeRequest): Promise<SafeResponse> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(
      new EgressError(`only http and https URLs are allowed, got ${url.protocol}`, 'bad_url'),
    );
  }
  // Sockets skip the lookup hook for IP literals, so those are checked here.
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal) !== 0 && !policy.allows(url.hostname, literal)) {
    return Promise.reject(
      new EgressError(`egress to ${url.hostname} is blocked by the egress policy`, 'blocked'),
    );
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
      lookup: checkedLookup(policy, url.hostname),
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
