import type { ChatMessage, TextPart } from '../../../providers';
import type { MessageDto } from './dto/message.dto';

/**
 * One OpenAI-shaped message (the OpenAI route's and the agent API's `messages`) in canonical
 * terms. Only the canonical fields travel on: OpenAI extras such as `refusal` are dropped here.
 */
export function toCanonicalMessage(m: MessageDto): ChatMessage {
  switch (m.role) {
    case 'assistant':
      return m.tool_calls
        ? {
            role: 'assistant',
            content: asText(m.content),
            tool_calls: m.tool_calls,
            ...(m.name ? { name: m.name } : {}),
          }
        : {
            role: 'assistant',
            content: asText(m.content) ?? '',
            ...(m.name ? { name: m.name } : {}),
          };
    case 'tool':
      return { role: 'tool', tool_call_id: m.tool_call_id ?? '', content: asText(m.content) ?? '' };
    case 'user':
      return { role: 'user', content: m.content ?? '', ...(m.name ? { name: m.name } : {}) };
    default:
      return {
        role: m.role,
        content: markedTextParts(m.content) ?? asText(m.content) ?? '',
        ...(m.name ? { name: m.name } : {}),
      };
  }
}

/**
 * System text parts kept apart when one carries Anthropic's `cache_control` (user parts travel
 * as sent already), so the breakpoint reaches an Anthropic model where the client put it.
 */
function markedTextParts(content: MessageDto['content'] | undefined): TextPart[] | undefined {
  if (!Array.isArray(content) || !content.some((p) => p.cache_control)) return undefined;
  return content
    .filter((p): p is TextPart => p.type === 'text')
    .map((p) => ({
      type: 'text',
      text: p.text,
      ...(p.cache_control ? { cache_control: p.cache_control } : {}),
    }));
}

function asText(content: MessageDto['content'] | undefined): string | null {
  if (content === null || content === undefined || typeof content === 'string')
    return content ?? null;
  return content.map((p) => (p.type === 'text' ? p.text : '')).join('');
}
