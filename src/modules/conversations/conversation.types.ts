import type { ChatMessage, ContentPart, TextPart, ToolCall, Usage } from '../providers';

export const MESSAGE_ROLES = ['system', 'developer', 'user', 'assistant', 'tool'] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];

/** One message to store, as the completion pipeline has it. */
export interface ConversationMessageInput {
  role: MessageRole;
  content: string | ContentPart[] | null;
  tool_calls?: ToolCall[] | null;
  /** On role "tool": the call it answers. */
  tool_call_id?: string | null;
  name?: string | null;
  /** Which model/service produced it (assistant messages). */
  model?: string | null;
  service?: string | null;
  usage?: Usage | null;
}

/**
 * A stored message. Messages are grouped in exchanges (one user turn with its tool rounds and
 * answer) that are written all together or not at all; order is (created_at, exchange_id,
 * position).
 */
export interface ConversationMessage {
  /** `<exchange_id>:<position>`. */
  id: string;
  org_id: string;
  thread_id: string;
  sub_thread_id: string | null;
  exchange_id: string;
  position: number;
  role: MessageRole;
  content: string | ContentPart[] | null;
  tool_calls: ToolCall[] | null;
  tool_call_id: string | null;
  name: string | null;
  model: string | null;
  service: string | null;
  usage: Usage | null;
  created_at: Date;
}

export interface ExchangeToAppend {
  /** Unique in the org; appending an exchange id that exists is a no-op (safe retries). */
  exchangeId: string;
  createdAt: Date;
  messages: ConversationMessageInput[];
}

export const EXCHANGE_ID_PREFIX = 'xch';
export const MAX_MESSAGES_PER_EXCHANGE = 500;
export const DEFAULT_HISTORY_MESSAGES = 100;

export const messageId = (exchangeId: string, position: number): string =>
  `${exchangeId}:${position}`;

/** Input -> stored shape (absent optional fields become null, the same in both stores). */
export function toStoredMessage(
  scope: { org_id: string; thread_id: string; sub_thread_id: string | null },
  exchange: { exchangeId: string; createdAt: Date },
  m: ConversationMessageInput,
  position: number,
): ConversationMessage {
  return {
    id: messageId(exchange.exchangeId, position),
    ...scope,
    exchange_id: exchange.exchangeId,
    position,
    role: m.role,
    content: m.content ?? null,
    tool_calls: m.tool_calls ?? null,
    tool_call_id: m.tool_call_id ?? null,
    name: m.name ?? null,
    model: m.model ?? null,
    service: m.service ?? null,
    usage: m.usage ?? null,
    created_at: exchange.createdAt,
  };
}

/** The cursor key of a message: its position in the thread's order. */
export const messageKey = (m: ConversationMessage): [string, string, number] => [
  m.created_at.toISOString(),
  m.exchange_id,
  m.position,
];

/**
 * Keeps the newest whole exchanges of a chronological message list that fit in `max`
 * messages: a history that starts mid-exchange (a tool result without its call) would be
 * rejected by providers.
 */
export function newestWholeExchanges(
  messages: ConversationMessage[],
  max: number,
): ConversationMessage[] {
  const groups: ConversationMessage[][] = [];
  for (const m of messages) {
    const last = groups[groups.length - 1];
    if (last && last[0].exchange_id === m.exchange_id) last.push(m);
    else groups.push([m]);
  }
  const kept: ConversationMessage[][] = [];
  let count = 0;
  for (let i = groups.length - 1; i >= 0; i--) {
    const g = groups[i];
    if (g[0].position !== 0 || count + g.length > max) break;
    kept.unshift(g);
    count += g.length;
  }
  return kept.flat();
}

/** A stored message in the provider-neutral shape, ready to send as history. */
export function toChatMessage(m: ConversationMessage): ChatMessage {
  const name = m.name === null ? {} : { name: m.name };
  switch (m.role) {
    case 'assistant':
      return {
        role: 'assistant',
        content: m.content as string | TextPart[] | null,
        ...(m.tool_calls && m.tool_calls.length > 0 ? { tool_calls: m.tool_calls } : {}),
        ...name,
      };
    case 'tool':
      return {
        role: 'tool',
        content: (m.content ?? '') as string | TextPart[],
        tool_call_id: m.tool_call_id ?? '',
      };
    case 'user':
      return { role: 'user', content: m.content ?? '', ...name };
    default:
      return { role: m.role, content: (m.content ?? '') as string | TextPart[], ...name };
  }
}
