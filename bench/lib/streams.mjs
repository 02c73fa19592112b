// Slow concurrent streams: N clients, each holding its own keep-alive connection and running
// streaming chat completions back to back, as many LLM users do at once. autocannon cannot do
// this: it sees a response as one unit, not the first content chunk inside it, and it does not
// check that a stream ended with `data: [DONE]`.
import { Agent, request } from 'node:http';
import { percentile } from './load.mjs';

/**
 * Reads an OpenAI SSE body as it arrives: notes the first event whose `choices[0].delta.content`
 * is non-empty (the first token a user sees; the role-only opening chunk does not count) and
 * whether `data: [DONE]` arrived.
 */
class SseWatcher {
  constructor() {
    this.pending = '';
    this.firstContent = false;
    this.done = false;
    this.error = false;
  }

  /** Feeds a piece of the body; returns true when this piece held the first content chunk. */
  push(text) {
    this.pending += text;
    let sawFirst = false;
    let nl;
    while ((nl = this.pending.indexOf('\n')) !== -1) {
      const line = this.pending.slice(0, nl).trimEnd();
      this.pending = this.pending.slice(nl + 1);
      if (!line.startsWith('data:')) continue;
      const data = line.slice(5).trim();
      if (data === '[DONE]') {
        this.done = true;
        continue;
      }
      if (this.firstContent) continue; // after the first token only [DONE] matters
      let event;
      try {
        event = JSON.parse(data);
      } catch {
        this.error = true;
        continue;
      }
      if (event.error) this.error = true;
      const content = event.choices?.[0]?.delta?.content;
      if (typeof content === 'string' && content.length > 0) {
        this.firstContent = true;
        sawFirst = true;
      }
    }
    return sawFirst;
  }
}

/**
 * One streaming request on `agent`. Resolves (never rejects) with
 * `{ ok, status, firstTokenMs, totalMs, reason }`; `ok` only for a 2xx that carried content
 * and ended with `[DONE]`.
 */
function oneStream(target, agent, timeoutMs) {
  const body = typeof target.body === 'function' ? target.body() : target.body;
  const u = new URL(target.url);
  return new Promise((resolve) => {
    let settled = false;
    let firstTokenMs;
    const finish = (ok, status, reason) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ok, status, firstTokenMs, totalMs: performance.now() - t0, reason });
    };
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        agent,
        headers: { ...target.headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          res.resume();
          res.on('end', () => finish(false, status, `HTTP ${status}`));
          res.on('error', () => finish(false, status, `HTTP ${status}`));
          return;
        }
        const sse = new SseWatcher();
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          if (sse.push(chunk)) firstTokenMs = performance.now() - t0;
        });
        res.on('end', () => {
          if (sse.error) finish(false, status, 'error event or malformed JSON in the stream');
          else if (!sse.firstContent) finish(false, status, 'no content chunk');
          else if (!sse.done) finish(false, status, 'ended without [DONE]');
          else finish(true, status);
        });
        res.on('error', (e) => finish(false, status, `response: ${e.code ?? e.message}`));
        res.on('aborted', () => finish(false, status, 'response aborted'));
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error('timeout'));
      finish(false, 0, `timeout after ${timeoutMs} ms`);
    }, timeoutMs);
    req.on('error', (e) => finish(false, 0, `request: ${e.code ?? e.message}`));
    const t0 = performance.now();
    req.end(body);
  });
}

/** One stream on a fresh connection (a smoke check before the load). */
export function streamOnce(target, timeoutMs = 30_000) {
  const agent = new Agent({ keepAlive: false });
  return oneStream(target, agent, timeoutMs).finally(() => agent.destroy());
}

/**
 * `streams` clients, each on its own keep-alive connection, run streams back to back for
 * `durationS` seconds (a stream started before the end runs to its end). The clients start
 * spread over `rampMs`, so they do not stay in lockstep. Returns the streams completed, the
 * failures (non-2xx, connection errors, timeouts, streams without content or `[DONE]`), exact
 * first-token and total-duration percentiles of the good streams, and the elapsed time.
 */
export async function runStreams(
  target,
  { streams, durationS, rampMs = 1000, timeoutMs = 60_000 },
) {
  const agent = new Agent({ keepAlive: true, maxSockets: streams, maxFreeSockets: streams });
  const firstToken = [];
  const total = [];
  const failures = new Map();
  let ok = 0;
  let failed = 0;
  const started = performance.now();
  const deadline = started + durationS * 1000;
  const client = async (i) => {
    await new Promise((r) => setTimeout(r, (rampMs * i) / streams));
    while (performance.now() < deadline) {
      const r = await oneStream(target, agent, timeoutMs);
      if (r.ok) {
        ok++;
        firstToken.push(r.firstTokenMs);
        total.push(r.totalMs);
      } else {
        failed++;
        failures.set(r.reason, (failures.get(r.reason) ?? 0) + 1);
        // a refused connection fails at once: do not spin on it
        if (r.status === 0) await new Promise((res) => setTimeout(res, 100));
      }
    }
  };
  await Promise.all(Array.from({ length: streams }, (_, i) => client(i)));
  const elapsedS = (performance.now() - started) / 1000;
  agent.destroy();
  const ft = Float64Array.from(firstToken).sort();
  const tt = Float64Array.from(total).sort();
  return {
    streams,
    ok,
    failed,
    failures: Object.fromEntries(failures),
    elapsedS,
    streamsPerS: ok / elapsedS,
    firstToken: { p50: percentile(ft, 50), p99: percentile(ft, 99) },
    total: { p50: percentile(tt, 50), p99: percentile(tt, 99) },
  };
}
