import type { ChatMessage, ContentPart, TextPart, ToolCall } from '../provider.types';

/**
 * Messages in the GenAI conventions' JSON shape (`gen_ai.input.messages`,
 * `gen_ai.output.messages`): `{role, parts: [{type, ...}]}`. Only built when content capture is
 * enabled. Inline images (data URLs) are named, not copied: a span is no place for megabytes.
 */
type Part =
  | { type: 'text'; content: string }
  | { type: 'uri'; modality: 'image'; uri: string }
  | { type: 'blob'; modality: 'image'; mime_type?: string }
  | { type: 'tool_call'; id: string; name: string; arguments: string }
  | { type: 'tool_call_response'; id: string; response: string };

interface Message {
  role: string;
  parts: Part[];
  finish_reason?: string;
}

function partOf(p: ContentPart | TextPart): Part {
  if (p.type === 'text') return { type: 'text', content: p.text };
  const url = p.image_url.url;
  if (url.startsWith('data:')) {
    return { type: 'blob', modality: 'image', mime_type: /^data:([^;,]+)/.exec(url)?.[1] };
  }
  return { type: 'uri', modality: 'image', uri: url };
}

function contentParts(content: string | Array<ContentPart | TextPart> | null): Part[] {
  if (content === null || content === '') return [];
  return typeof content === 'string' ? [{ type: 'text', content }] : content.map(partOf);
}

function toolCallParts(calls: ToolCall[] | undefined): Part[] {
  return (calls ?? []).map((c) => ({
    type: 'tool_call',
    id: c.id,
    name: c.function.name,
    arguments: c.function.arguments,
  }));
}

export function inputMessages(messages: ChatMessage[]): string {
  const out: Message[] = messages.map((m) => {
    if (m.role === 'tool') {
      const text =
        typeof m.content === 'string' ? m.content : m.content.map((p) => p.text).join('');
      return {
        role: 'tool',
        parts: [{ type: 'tool_call_response', id: m.tool_call_id, response: text }],
      };
    }
    if (m.role === 'assistant') {
      return { role: m.role, parts: [...contentParts(m.content), ...toolCallParts(m.tool_calls)] };
    }
    return { role: m.role, parts: contentParts(m.content) };
  });
  return JSON.stringify(out);
}

export function outputMessages(
  content: string | null,
  toolCalls: ToolCall[],
  finishReason: string | undefined,
): string {
  const message: Message = {
    role: 'assistant',
    parts: [...contentParts(content), ...toolCallParts(toolCalls)],
    ...(finishReason ? { finish_reason: finishReason } : {}),
  };
  return JSON.stringify([message]);
}
