import { signToken } from '../../support/test-app';

/** What happened to one request of a load run. */
export interface Sent {
  n: number;
  /** Each request runs as its own user: usage rows are matched by it. */
  userId: string;
  /** Undefined when the run sends no thread. */
  threadId?: string;
  requestId: string;
  endpoint: 'agent' | 'openai';
  /** The HTTP status, or 'network' when the connection failed (e.g. the gateway was killed). */
  status: number | 'network';
  code?: string;
  retryAfter?: string | null;
  /** When it was sent (epoch ms) and how long it took. */
  at: number;
  ms: number;
}

export interface LoadOptions {
  /** Gateway base URL, read for every request (a restarted gateway has a new one). */
  url: () => string;
  org: string;
  agentId: string;
  /** Tag that makes thread and request ids unique to this run. */
  run: string;
  concurrency: number;
  /** Stop after this many requests (default: until `stop()`). */
  total?: number;
  /** Per-request client timeout. */
  timeoutMs?: number;
  /**
   * Whether requests name a thread (default true). Without one the request reads no history,
   * so it can be answered while the document store is down (from cached configuration).
   */
  threads?: boolean;
}

/**
 * Drives completions at a fixed concurrency: every request has its own user, thread id, request
 * id and message, so what the stores hold afterwards can be matched request by request.
 * Even requests use the agent endpoint, odd ones the OpenAI-compatible one (with x-thread-id).
 */
export class Load {
  readonly sent: Sent[] = [];
  private next = 0;
  private stopped = false;
  private workers: Promise<void>[] = [];
  constructor(private readonly opts: LoadOptions) {}

  start(): this {
    this.workers = Array.from({ length: this.opts.concurrency }, () => this.worker());
    return this;
  }

  /** Stops issuing requests and waits for those in flight. */
  async stop(): Promise<Sent[]> {
    this.stopped = true;
    await Promise.all(this.workers);
    return this.sent;
  }

  /** Resolves when the run has finished by itself (`total` reached). */
  async done(): Promise<Sent[]> {
    await Promise.all(this.workers);
    return this.sent;
  }

  /**
   * Resolves once `count` more requests have been answered 200. Bounded, so a gateway that
   * never recovers fails with what it answered instead of the test's own timeout.
   */
  async answered(count: number, withinMs = 60_000): Promise<void> {
    const target = this.ok().length + count;
    const deadline = Date.now() + withinMs;
    while (this.ok().length < target) {
      if (this.stopped) throw new Error('the load stopped first');
      if (Date.now() > deadline) {
        const since = this.sent.filter((s) => s.at >= deadline - withinMs);
        const got = this.ok().length - (target - count);
        throw new Error(
          `${count} answers expected within ${withinMs} ms, ${got} came; ` +
            `statuses meanwhile: ${JSON.stringify(tally(since))}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  ok(): Sent[] {
    return this.sent.filter((s) => s.status === 200);
  }

  private async worker(): Promise<void> {
    while (!this.stopped) {
      const n = this.next++;
      if (this.opts.total !== undefined && n >= this.opts.total) return;
      this.sent.push(await this.one(n));
    }
  }

  private async one(n: number): Promise<Sent> {
    const threads = this.opts.threads ?? true;
    const threadId = threads ? `t-${this.opts.run}-${n}` : undefined;
    const requestId = `r-${this.opts.run}-${n}`;
    const userId = `u-${this.opts.run}-${n}`;
    const token = signToken({ org_id: this.opts.org, sub: userId }, { expiresIn: '1h' });
    const endpoint = n % 2 === 0 ? 'agent' : 'openai';
    const user = `question ${n} of run ${this.opts.run}`;
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'x-request-id': requestId,
    };
    let path: string;
    let body: unknown;
    if (endpoint === 'agent') {
      path = '/api/v2/model/chat/completion';
      body = { agent_id: this.opts.agentId, user, thread_id: threadId, cache: false };
    } else {
      path = '/v1/chat/completions';
      if (threadId) headers['x-thread-id'] = threadId;
      headers['x-cache-ttl'] = '0';
      body = { model: `agent/${this.opts.agentId}`, messages: [{ role: 'user', content: user }] };
    }
    const started = Date.now();
    const base = { n, userId, threadId, requestId, endpoint, at: started } as const;
    try {
      const res = await fetch(`${this.opts.url()}${path}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
      });
      const text = await res.text();
      let code: string | undefined;
      if (res.status !== 200) {
        try {
          const parsed = JSON.parse(text) as { error?: { code?: string } };
          code = parsed.error?.code ?? undefined;
        } catch {
          code = `unparsable: ${text.slice(0, 80)}`;
        }
      }
      return {
        ...base,
        status: res.status,
        code,
        retryAfter: res.headers.get('retry-after'),
        ms: Date.now() - started,
      };
    } catch {
      return { ...base, status: 'network', ms: Date.now() - started };
    }
  }
}

/** Counts of a run's outcomes by status, for failure messages and the report. */
export function tally(sent: Sent[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of sent) {
    const key = s.status === 200 ? '200' : `${s.status}${s.code ? ` ${s.code}` : ''}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}
