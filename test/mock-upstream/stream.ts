/**
 * Writes an SSE answer, applying the stream directives: `stream_error` (error after the first
 * content frame), `stall_after` (stop writing, keep the socket open), `malformed` (a garbage
 * line) and `chunk_delay_ms` (pauses between frames).
 */
import { ANTHROPIC_GARBAGE_FRAME, anthropicStreamErrorFrame } from './anthropic-wire';
import type { MockDirectives } from './directives';
import { OPENAI_GARBAGE_FRAME, openaiStreamErrorFrame } from './openai-wire';
import type { MockState } from './recording';
import { baseHeaders, markStatus, wait, type Ctx } from './respond';
import type { Provider } from './shared';
import type { Frame } from './sse';

function garbageFrame(provider: Provider): string {
  return provider === 'openai' ? OPENAI_GARBAGE_FRAME : ANTHROPIC_GARBAGE_FRAME;
}

function streamErrorFrame(provider: Provider, status: number): string {
  return provider === 'openai' ? openaiStreamErrorFrame(status) : anthropicStreamErrorFrame(status);
}

export async function sendStream(
  state: MockState,
  ctx: Ctx,
  frames: Frame[],
  d: MockDirectives,
): Promise<void> {
  const contentAt: number[] = [];
  frames.forEach((f, i) => {
    if (f.content) contentAt.push(i);
  });
  let out = frames.map((f) => f.s);
  let stall = false;
  let cut = out.length;
  let tail: string | undefined;
  if (d.stream_error !== undefined) {
    cut = (contentAt[0] ?? 0) + 1;
    tail = streamErrorFrame(
      ctx.provider,
      d.stream_error || (ctx.provider === 'anthropic' ? 529 : 500),
    );
  }
  if (d.stall_after !== undefined) {
    const n = d.stall_after;
    const at =
      contentAt.length === 0
        ? 1
        : n === 0
          ? contentAt[0]
          : contentAt[Math.min(n, contentAt.length) - 1] + 1;
    if (at <= cut) {
      cut = at;
      stall = true;
      tail = undefined;
    }
  }
  out = out.slice(0, cut);
  if (tail) out.push(tail);
  if (d.malformed) {
    const at = Math.min((contentAt[0] ?? 0) + 1, out.length);
    out.splice(at, 0, garbageFrame(ctx.provider));
  }

  const { res } = ctx;
  res.writeHead(200, {
    ...baseHeaders(ctx),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
  });
  markStatus(state, ctx, 200);
  const delay = d.chunk_delay_ms ?? 0;
  if (delay > 0) {
    for (let i = 0; i < out.length; i++) {
      if (ctx.closed) return;
      if (i > 0) await wait(ctx, delay);
      if (ctx.closed) return;
      res.write(out[i]);
    }
    if (!stall && !ctx.closed) res.end();
    return;
  }
  if (stall) res.write(out.join(''));
  else res.end(out.join(''));
  // When stalled the socket stays open until the client goes away (or the server closes).
}
