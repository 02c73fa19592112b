import { StringDecoder } from 'node:string_decoder';

/** One dispatched Server-Sent Event: its `event:` name (if any) and its data lines joined. */
export interface SseMessage {
  event: string | undefined;
  data: string;
}

const LF = 10;

/**
 * An incremental Server-Sent Events parser for provider streams: feed it the body's chunks as
 * they arrive (split anywhere, even inside a multi-byte UTF-8 character or between the CR and
 * LF of a line end) and it returns the events completed by each chunk.
 *
 * Why not the SDKs' decoders: they copy the whole pending buffer into a new Uint8Array per
 * chunk, search it for blank lines, decode it line by line and pass every event through three
 * async generators (several promises per chunk). On a gateway holding many slow streams that
 * per-chunk work is most of its own CPU; this is one string decode and a few `indexOf`s.
 *
 * Follows the SSE parsing rules the SDKs follow: lines end with LF, CRLF or CR; a blank line
 * dispatches the event; `:` lines are comments (keep-alives); `data:` lines accumulate, joined
 * with LF; one space after the colon is dropped; other fields (`id`, `retry`) are ignored; an
 * event with no data is not dispatched; an unfinished event at the end of the body is dropped.
 */
export class SseReader {
  private readonly decoder = new StringDecoder('utf8');
  /** Text after the last complete line (a line cut by the chunk boundary). */
  private pending = '';
  private event: string | undefined;
  private data: string | undefined;

  /** Parses one chunk of the body; returns the events it completed, in order. */
  push(chunk: Uint8Array | string): SseMessage[] {
    const decoded = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const text = this.pending === '' ? decoded : this.pending + decoded;
    const out: SseMessage[] = [];
    const n = text.length;
    let start = 0;
    let cr = text.indexOf('\r');
    let lf = text.indexOf('\n');
    for (;;) {
      if (cr !== -1 && cr < start) cr = text.indexOf('\r', start);
      if (lf !== -1 && lf < start) lf = text.indexOf('\n', start);
      let end: number;
      let next: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        // A CR as the chunk's last character may be the first half of a CRLF: wait for more.
        if (cr === n - 1) break;
        end = cr;
        next = text.charCodeAt(cr + 1) === LF ? cr + 2 : cr + 1;
      } else if (lf !== -1) {
        end = lf;
        next = lf + 1;
      } else {
        break;
      }
      this.line(text, start, end, out);
      start = next;
    }
    this.pending = start === 0 ? text : text.slice(start);
    return out;
  }

  private line(text: string, start: number, end: number, out: SseMessage[]): void {
    if (start === end) {
      if (this.data !== undefined) out.push({ event: this.event, data: this.data });
      this.event = undefined;
      this.data = undefined;
      return;
    }
    if (text.charCodeAt(start) === 58 /* : */) return;
    let colon = text.indexOf(':', start);
    if (colon === -1 || colon > end) colon = end;
    let valueAt = colon + 1;
    if (valueAt < end && text.charCodeAt(valueAt) === 32 /* space */) valueAt++;
    const value = valueAt >= end ? '' : text.slice(valueAt, end);
    const nameLength = colon - start;
    if (nameLength === 4 && text.startsWith('data', start)) {
      this.data = this.data === undefined ? value : `${this.data}\n${value}`;
    } else if (nameLength === 5 && text.startsWith('event', start)) {
      this.event = value;
    }
  }
}
