import type { ChatMessage } from '../../providers';

/** Rough token estimate (≈4 characters a token plus per-message overhead): only used to trim. */
export function estimateTokens(m: ChatMessage): number {
  let chars = 0;
  const content = m.content;
  if (typeof content === 'string') chars += content.length;
  else if (Array.isArray(content)) {
    for (const part of content) chars += part.type === 'text' ? part.text.length : 1000;
  }
  if (m.role === 'assistant' && m.tool_calls) {
    for (const c of m.tool_calls) chars += c.function.name.length + c.function.arguments.length;
  }
  return Math.ceil(chars / 4) + 4;
}

/**
 * Drops the oldest history until system prompt + history + new messages fit `budget` tokens.
 * History is cut in whole turns (a user message and everything after it up to the next user
 * message), so an assistant's tool calls are never separated from their results.
 */
export function trimHistory(
  system: ChatMessage[],
  history: ChatMessage[],
  fresh: ChatMessage[],
  budget: number,
): ChatMessage[] {
  const fixed = [...system, ...fresh].reduce((n, m) => n + estimateTokens(m), 0);
  const turns: ChatMessage[][] = [];
  for (const m of history) {
    if (m.role === 'user' || turns.length === 0) turns.push([m]);
    else turns[turns.length - 1].push(m);
  }
  let total = fixed + history.reduce((n, m) => n + estimateTokens(m), 0);
  let start = 0;
  while (total > budget && start < turns.length) {
    total -= turns[start].reduce((n, m) => n + estimateTokens(m), 0);
    start++;
  }
  return [...system, ...turns.slice(start).flat(), ...fresh];
}
