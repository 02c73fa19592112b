import type { ChatMessage } from '../../../providers';
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
        content: asText(m.content) ?? '',
        ...(m.name ? { name: m.name } : {}),
      };
  }
}

function asText(content: MessageDto['content'] | undefined): string | null {
  if (content === null || content === undefined || typeof content === 'string')
    return content ?? null;
  return content.map((p) => (p.type === 'text' ? p.text : '')).join('');
}
