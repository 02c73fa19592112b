import { Injectable } from '@nestjs/common';
import { AppException, ErrorCode } from '../../common/errors';
import { newId } from '../../common/ids/new-id';
import { encodeCursor, type Page } from '../../common/pagination';
import { SAFE_ID_PATTERN } from '../../common/validation/safe-id';
import {
  ConversationsService,
  messageKey,
  type AppendOptions,
  type ConversationMessage,
  type ConversationMessageInput,
  type MessageOrder,
} from '../conversations';
import { ConversationRecordsRepository } from './conversation-records.repository';
import { CONVERSATION_ID_PREFIX, type StoredConversation } from './response-record';
import { isUniqueViolation } from '../../infra/document-store/unique-violation';

/** The Conversations API's list defaults and bounds (`limit` 1-100, default 20, newest first). */
export const DEFAULT_ITEMS_LIMIT = 20;
export const MAX_ITEMS_LIMIT = 100;

export interface NewConversation {
  metadata?: Record<string, string>;
  /** Initial items, already canonical (the caller converts wire items); stored as one exchange. */
  items?: ConversationMessageInput[];
}

export interface ListItemsOptions {
  limit?: number;
  /** The id of the item (a `ConversationMessage.id`) the page starts after, in `order`. */
  after?: string;
  order?: 'asc' | 'desc';
}

/** A page of items, with what the Conversations API's list object needs. */
export interface ItemsPage {
  items: ConversationMessage[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/**
 * The Responses API's conversations on top of the gateway's threads: a conversation's id is a
 * thread id and its items are that thread's main-line messages, so both APIs see one store.
 * The record adds what threads lack (metadata, created_at); a thread the agent API made has
 * none and is a conversation too (metadata {}, created when its first message was).
 */
@Injectable()
export class ConversationStore {
  constructor(
    private readonly records: ConversationRecordsRepository,
    private readonly threads: ConversationsService,
  ) {
    // A thread deleted through the agent API (DELETE /api/v1/threads/{id}) is a deleted
    // conversation: its record must not keep it alive with no items.
    threads.onThreadDeleted((orgId, id) => this.records.delete(orgId, id));
  }

  /** A new conversation `conv_…`, with its initial items (if any) as one exchange. */
  async create(orgId: string, input: NewConversation): Promise<StoredConversation> {
    const record: StoredConversation = {
      id: newId(CONVERSATION_ID_PREFIX),
      org_id: orgId,
      metadata: input.metadata ?? {},
      created_at: new Date(),
    };
    await this.records.insert(record);
    const items = input.items ?? [];
    if (items.length > 0) {
      try {
        await this.threads.appendExchange(orgId, record.id, null, items, {
          createdAt: record.created_at,
        });
      } catch (e) {
        // No half-made conversation: the caller gets the error and no id to find one by.
        await this.records.delete(orgId, record.id).catch(() => undefined);
        throw e;
      }
    }
    return record;
  }

  /** The conversation, or null: no record and no message (or an id no thread can have). */
  async get(orgId: string, id: string): Promise<StoredConversation | null> {
    if (!SAFE_ID_PATTERN.test(id)) return null;
    const record = await this.records.get(orgId, id);
    if (record) return record;
    const first = await this.firstMessage(orgId, id);
    return first ? { id, org_id: orgId, metadata: {}, created_at: first.created_at } : null;
  }

  /** The conversation, or 404 NOT_FOUND "Conversation <id> not found". */
  async getOrThrow(orgId: string, id: string): Promise<StoredConversation> {
    const c = await this.get(orgId, id);
    if (!c) throw conversationNotFound(id);
    return c;
  }

  /** Replaces the metadata (an agent-API thread gets its record here); 404 when absent. */
  async updateMetadata(
    orgId: string,
    id: string,
    metadata: Record<string, string>,
  ): Promise<StoredConversation> {
    if (!SAFE_ID_PATTERN.test(id)) throw conversationNotFound(id);
    const updated = await this.records.updateMetadata(orgId, id, metadata);
    if (updated) return updated;
    const first = await this.firstMessage(orgId, id);
    if (!first) throw conversationNotFound(id);
    const record = { id, org_id: orgId, metadata, created_at: first.created_at };
    try {
      await this.records.insert(record);
      return record;
    } catch (e) {
      // A concurrent update made the record first: ours is the later write, so it wins.
      if (!isUniqueViolation(e)) throw e;
      const again = await this.records.updateMetadata(orgId, id, metadata);
      if (!again) throw conversationNotFound(id);
      return again;
    }
  }

  /** Deletes the record and the thread (with its sub-threads); 404 when neither exists. */
  async delete(orgId: string, id: string): Promise<void> {
    if (!SAFE_ID_PATTERN.test(id)) throw conversationNotFound(id);
    const threadGone = await this.threads.deleteThread(orgId, id).then(
      () => true,
      (e: unknown) => {
        if (e instanceof AppException && e.code === ErrorCode.NOT_FOUND) return false;
        throw e;
      },
    );
    const recordGone = await this.records.delete(orgId, id);
    if (!threadGone && !recordGone) throw conversationNotFound(id);
  }

  /** Appends messages as one exchange (all or nothing); 404 when the conversation is absent. */
  async appendItems(
    orgId: string,
    id: string,
    messages: ConversationMessageInput[],
    opts: AppendOptions = {},
  ): Promise<ConversationMessage[]> {
    await this.getOrThrow(orgId, id);
    return this.threads.appendExchange(orgId, id, null, messages, opts);
  }

  /**
   * A page of the conversation's items (main-line messages) in `order` (default newest first,
   * as the Conversations API), starting past the item `after`.
   */
  async listItems(orgId: string, id: string, opts: ListItemsOptions = {}): Promise<ItemsPage> {
    await this.getOrThrow(orgId, id);
    const limit = Math.min(Math.max(opts.limit ?? DEFAULT_ITEMS_LIMIT, 1), MAX_ITEMS_LIMIT);
    let cursor: string | undefined;
    if (opts.after !== undefined) {
      // The item's place in the thread is the keyset cursor the thread store pages from.
      const from = await this.threads.getMessage(orgId, id, null, opts.after);
      if (!from) throw unknownAfter();
      cursor = encodeCursor(messageKey(from));
    }
    const page = await this.page(orgId, id, limit, cursor, opts.order ?? 'desc');
    return {
      items: page.items,
      first_id: page.items[0]?.id ?? null,
      last_id: page.items[page.items.length - 1]?.id ?? null,
      has_more: page.next_cursor !== null,
    };
  }

  /** One item of the conversation; 404 when the conversation or the item is absent. */
  async getItem(orgId: string, id: string, itemId: string): Promise<ConversationMessage> {
    await this.getOrThrow(orgId, id);
    const item = await this.threads.getMessage(orgId, id, null, itemId);
    if (!item) throw new AppException(ErrorCode.NOT_FOUND, 'Item not found in this conversation');
    return item;
  }

  private async firstMessage(orgId: string, id: string): Promise<ConversationMessage | null> {
    return (await this.page(orgId, id, 1, undefined, 'asc')).items[0] ?? null;
  }

  /** A page of the thread; an empty thread is an empty page here, not the thread API's 404. */
  private page(
    orgId: string,
    id: string,
    limit: number,
    cursor: string | undefined,
    order: MessageOrder,
  ): Promise<Page<ConversationMessage>> {
    const page = { limit, cursor };
    return this.threads.listMessages(orgId, id, null, page, order).catch((e: unknown) => {
      if (e instanceof AppException && e.code === ErrorCode.NOT_FOUND) {
        return { items: [] as ConversationMessage[], next_cursor: null };
      }
      throw e;
    });
  }
}

/** 404 for a conversation id; the id is echoed only when it has a thread id's (safe) shape. */
export function conversationNotFound(id: string): AppException {
  const which = SAFE_ID_PATTERN.test(id) ? `Conversation ${id}` : 'Conversation';
  return new AppException(ErrorCode.NOT_FOUND, `${which} not found`);
}

const unknownAfter = () =>
  new AppException(ErrorCode.VALIDATION_FAILED, 'after is not an item of this conversation', {
    param: 'after',
  });
