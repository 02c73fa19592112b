import { toChatMessage, type ConversationMessage } from '../../../conversations';
import { messagesToItems, type ConversationItem } from './responses.items';

/**
 * Stored thread messages as items. An item's id is its message's id (`<exchange>:<position>`)
 * behind the item prefix, plus `.<n>` for the n-th tool call of an assistant turn, so it is
 * stable and leads back to the message (for `after` and item lookups).
 */
export function asItems(messages: ConversationMessage[]): ConversationItem[] {
  return messages.flatMap((m) =>
    messagesToItems([toChatMessage(m)], (prefix, _i, sub) =>
      sub === 0 ? `${prefix}_${m.id}` : `${prefix}_${m.id}.${sub}`,
    ),
  );
}

/** The message id an item id names (see asItems); unparseable ids name no message. */
export function messageIdOf(itemId: string): string {
  const m = /^(?:msg|fc|fco)_(.+:\d+)(?:\.\d+)?$/.exec(itemId);
  return m ? m[1] : itemId;
}
