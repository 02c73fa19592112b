/** Server-sent-events framing shared by both wire formats. */
import type { Obj } from './shared';

/** One SSE frame; `content` marks the frames that carry generated content (text or arguments). */
export interface Frame {
  s: string;
  content: boolean;
}

export const sse = (data: unknown): string => `data: ${JSON.stringify(data)}\n\n`;
export const sseEvent = (type: string, data: Obj): string =>
  `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
