import { Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { normaliseError } from '../../../../common/filters/normalise-error';
import type { NormalisedError } from '../../../../common/filters/error-envelope';
import type { PipelineEvent } from '../../pipeline/completion-job';
import { SseWriter } from './sse-writer';

const logger = new Logger('Streaming');

export interface StreamFormat {
  /** Payloads to send for one pipeline event. */
  map(e: PipelineEvent): object[];
  /**
   * The payload describing a failure after the stream has started; `requestId` is the
   * request's x-request-id, which the format's JSON errors carry too.
   */
  error(e: NormalisedError, requestId: string): object;
  /**
   * Send each payload as an `event: <payload.type>` line plus its data (Anthropic), instead of
   * data lines only (OpenAI, the agent API).
   */
  readonly namedEvents?: boolean;
  /** The last data line after a completed stream; `[DONE]` unless the format has none (null). */
  readonly terminator?: string | null;
}

/**
 * Sends a pipeline stream as SSE. The first event is awaited before anything is written, so a
 * failure before it (validation, provider down after retries) still becomes a normal HTTP error
 * response. A client that disconnects aborts the upstream call through `writer.signal`.
 */
export async function sendStream(
  reply: FastifyReply,
  start: (signal: AbortSignal) => AsyncIterator<PipelineEvent>,
  format: StreamFormat,
  /**
   * Sees the first event before the headers are written (e.g. to set a header from it); a
   * hook here rather than a generator around `events`, which would cost a hop per event.
   */
  onFirst?: (first: PipelineEvent) => void,
): Promise<void> {
  const writer = new SseWriter(reply);
  const events = start(writer.signal);
  const first = await events.next();
  if (!first.done) onFirst?.(first.value);
  writer.open();
  const send = format.namedEvents
    ? (payload: object) => writer.event((payload as { type: string }).type, payload)
    : (payload: object) => writer.data(payload);
  try {
    for (let r = first; !r.done; r = await events.next()) {
      if (writer.aborted) break;
      for (const payload of format.map(r.value)) send(payload);
    }
    const terminator = format.terminator === undefined ? '[DONE]' : format.terminator;
    if (terminator !== null) writer.data(terminator);
  } catch (e) {
    if (!writer.aborted) {
      const err = normaliseError(e);
      logger.warn(`stream failed after it started: ${err.code} ${err.message}`);
      send(format.error(err, String(reply.request.id)));
    }
  } finally {
    // Stopping early (client gone) runs the generators' cleanup, which aborts the upstream.
    if (writer.aborted) await events.return?.(undefined);
    writer.end();
  }
}
