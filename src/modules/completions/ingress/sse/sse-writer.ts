import type { FastifyReply } from 'fastify';

/**
 * Writes Server-Sent Events straight to the socket. The reply is hijacked (Fastify no longer
 * manages it), so the headers Fastify hooks already set (request id, security headers) are
 * copied over. `aborted` flips when the client goes away; `signal` aborts upstream work then.
 */
export class SseWriter {
  private readonly controller = new AbortController();
  private ended = false;
  private corked = false;

  constructor(private readonly reply: FastifyReply) {
    reply.raw.on('close', () => {
      if (!this.ended) this.controller.abort(new Error('client disconnected'));
    });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.controller.signal.aborted;
  }

  open(status = 200): void {
    this.reply.hijack();
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(this.reply.getHeaders())) {
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.map(String) : String(v);
    }
    this.reply.raw.writeHead(status, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // Flush headers now: a client waiting for the first token should see the stream open
    // (at the end of this tick, with whatever events are already at hand).
    this.batch();
    this.reply.raw.flushHeaders();
  }

  data(payload: object | string): void {
    if (this.aborted || this.ended) return;
    this.batch();
    this.reply.raw.write(
      `data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`,
    );
  }

  /** A named event (`event:` line), for formats that type their events that way (Anthropic). */
  event(name: string, payload: object): void {
    if (this.aborted || this.ended) return;
    this.batch();
    this.reply.raw.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.reply.raw.end();
  }

  /**
   * Events that are ready together (one upstream read often carries many) leave in one socket
   * write instead of one write each: the socket is corked until the current tick's work is
   * done, so nothing is held back waiting for later events.
   */
  private batch(): void {
    if (this.corked) return;
    this.corked = true;
    this.reply.raw.cork();
    process.nextTick(this.uncork);
  }

  /** One function for every batch of the stream (not a closure per event). */
  private readonly uncork = (): void => {
    this.corked = false;
    this.reply.raw.uncork();
  };
}
