// Load (autocannon) and single-request timing (a tiny keep-alive client that also sees the
// first body byte, which autocannon does not report).
import autocannon from 'autocannon';
import { Agent, request } from 'node:http';

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function median(values) {
  return percentile(Float64Array.from(values).sort(), 50);
}

/** Collects float latencies (autocannon's own histogram rounds to whole milliseconds). */
class Latencies {
  constructor() {
    this.buf = new Float64Array(1 << 16);
    this.n = 0;
  }
  push(v) {
    if (this.n === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.n++] = v;
  }
  sorted() {
    return this.buf.slice(0, this.n).sort();
  }
}

/**
 * One autocannon run. `target` = { url, headers, body } or { url, requests } (autocannon's
 * request sequence, for bodies that change per request). Returns RPS (every 2xx), exact p50/p99
 * of 2xx responses, and every kind of failure counted together in `errors`.
 *
 * Each connection's first response is left out of the percentiles (and reported as
 * `firstMax`): autocannon opens all its connections at once, and a CPU-bound server (any Node
 * gateway here, Portkey included) takes up to seconds to get to some of them, which says more
 * about the connection storm than about the steady state that the percentiles describe.
 */
export async function runLoad(target, { connections, duration }) {
  const lat = new Latencies();
  const seen = new WeakSet();
  let firstMax = 0;
  const instance = autocannon({
    url: target.url,
    method: 'POST',
    headers: target.headers,
    body: typeof target.body === 'string' ? target.body : undefined,
    requests: target.requests,
    connections,
    duration,
    timeout: 30,
  });
  instance.on('response', (client, status, _bytes, ms) => {
    if (!seen.has(client)) {
      seen.add(client);
      firstMax = Math.max(firstMax, ms);
      return;
    }
    if (status >= 200 && status < 300) lat.push(ms);
  });
  const result = await instance;
  const sorted = lat.sorted();
  const elapsedS = result.duration;
  return {
    connections,
    rps: result['2xx'] / elapsedS,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    firstMax,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts + result.non2xx + (result.mismatches ?? 0),
    statusCodes: result.statusCodeStats,
  };
}

const agents = new Map();

/** A keep-alive agent per target with one socket: sequential requests reuse one connection. */
function agentFor(name) {
  let a = agents.get(name);
  if (!a) {
    a = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.set(name, a);
  }
  return a;
}

export function destroyAgents() {
  for (const a of agents.values()) a.destroy();
  agents.clear();
}

/**
 * One request, timed from the moment it is written: `ttfbMs` until the first body byte,
 * `totalMs` until the body ended.
 */
export function timedRequest(target) {
  const body = typeof target.body === 'function' ? target.body() : target.body;
  return new Promise((resolve, reject) => {
    const u = new URL(target.url);
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        agent: agentFor(target.name),
        headers: { ...target.headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let ttfb;
        res.on('data', () => {
          ttfb ??= performance.now() - t0;
        });
        res.on('end', () => {
          const total = performance.now() - t0;
          resolve({ status: res.statusCode, ttfbMs: ttfb ?? total, totalMs: total });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const t0 = performance.now();
    req.end(body);
  });
}

/**
 * Runs `timedRequest` back to back until `stopSignal.stopped`, for a TTFB probe running beside
 * a load test. Returns sorted TTFBs of 2xx answers and the count of failures.
 */
export async function probeLoop(target, stopSignal) {
  const ttfb = [];
  let failures = 0;
  while (!stopSignal.stopped) {
    try {
      const r = await timedRequest(target);
      if (r.status >= 200 && r.status < 300) ttfb.push(r.ttfbMs);
      else failures++;
    } catch {
      failures++;
    }
  }
  return { ttfb: Float64Array.from(ttfb).sort(), failures };
}

/**
 * Sequential overhead, interleaved so drift (other load on the machine, GC, CPU frequency) hits
 * every target alike: each round sends `perRound` single requests to each target in turn (the
 * order rotates per round) and keeps each target's median; the result is the median of those
 * round medians, for the whole request and for the first byte.
 */
export async function interleavedRounds(targets, { rounds, perRound, warmup }) {
  for (const t of targets) for (let i = 0; i < warmup; i++) await timedRequest(t);
  const perTarget = new Map(targets.map((t) => [t.name, { total: [], ttfb: [], failures: 0 }]));
  for (let r = 0; r < rounds; r++) {
    const order = targets.map((_, i) => targets[(i + r) % targets.length]);
    for (const t of order) {
      const totals = [];
      const ttfbs = [];
      const acc = perTarget.get(t.name);
      for (let i = 0; i < perRound; i++) {
        const res = await timedRequest(t);
        if (res.status < 200 || res.status >= 300) {
          acc.failures++;
          continue;
        }
        totals.push(res.totalMs);
        ttfbs.push(res.ttfbMs);
      }
      if (totals.length > 0) {
        acc.total.push(median(totals));
        acc.ttfb.push(median(ttfbs));
      }
    }
  }
  const out = {};
  for (const [name, acc] of perTarget) {
    out[name] = { totalMs: median(acc.total), ttfbMs: median(acc.ttfb), failures: acc.failures };
  }
  return out;
}
