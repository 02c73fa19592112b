/** Writing a JSON answer or an error in the request's wire format, and recording its status. */
import type * as http from 'node:http';
import { anthropicErrorBody, anthropicHeaders } from './anthropic-wire';
import { openaiErrorBody, openaiHeaders } from './openai-wire';
import type { MockState, RecordedRequest } from './recording';
import type { ErrorOpts, Provider } from './shared';

/** One request being answered. */
export interface Ctx {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  provider: Provider;
  requestId: string;
  started: number;
  rec?: RecordedRequest;
  closed: boolean;
}

export function baseHeaders(ctx: Ctx): http.OutgoingHttpHeaders {
  return ctx.provider === 'anthropic'
    ? anthropicHeaders(ctx.requestId)
    : openaiHeaders(ctx.requestId, ctx.started);
}

export function markStatus(state: MockState, ctx: Ctx, status: number): void {
  if (ctx.rec) {
    ctx.rec.status = status;
    state.notify(ctx.rec);
  }
}

export function sendJson(
  state: MockState,
  ctx: Ctx,
  status: number,
  body: unknown,
  extra?: http.OutgoingHttpHeaders,
): void {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  ctx.res.writeHead(status, {
    ...baseHeaders(ctx),
    ...extra,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
  });
  ctx.res.end(payload);
  markStatus(state, ctx, status);
}

export function sendError(
  state: MockState,
  ctx: Ctx,
  status: number,
  message: string,
  o?: ErrorOpts,
  extra?: http.OutgoingHttpHeaders,
): void {
  const body =
    ctx.provider === 'anthropic'
      ? anthropicErrorBody(status, message, ctx.requestId, o)
      : openaiErrorBody(status, message, o);
  sendJson(state, ctx, status, body, extra);
}

/** Waits `ms`, or less when the client goes away first. */
export function wait(ctx: Ctx, ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      ctx.res.off('close', done);
      resolve();
    }
    ctx.res.once('close', done);
  });
}
