import { Injectable } from '@nestjs/common';
import { AppException, ErrorCode } from '../../common/errors';
import { newId } from '../../common/ids/new-id';
import type { Page, PageRequest } from '../../common/pagination';
import { SAFE_ID_PATTERN } from '../../common/validation/safe-id';
import {
  DEFAULT_HISTORY_MESSAGES,
  EXCHANGE_ID_PREFIX,
  MAX_MESSAGES_PER_EXCHANGE,
  type ConversationMessage,
  type ConversationMessageInput,
} from './conversation.types';
import {
  ConversationsRepository,
  type MessageOrder,
  type ThreadRef,
} from './conversations.repository';

export interface AppendOptions {
  /**
   * Makes the append idempotent: a retry with the same id (e.g. a queued job that runs
   * twice) stores nothing new. Generated when absent.
   */
  exchangeId?: string;
  createdAt?: Date;
}

export type ThreadDeletedListener = (orgId: string, threadId: string) => Promise<unknown>;

/** Threads and their messages, for the completion pipeline and the messages endpoint. */
@Injectable()
export class ConversationsService {
  /** What else goes with a deleted thread (e.g. its conversation record, in the responses module). */
  private readonly threadDeletedListeners: ThreadDeletedListener[] = [];

  constructor(private readonly repo: ConversationsRepository) {}

  /**
   * Runs `listener` after each thread deletion, before the delete answers: state other modules
   * keep per thread goes with it, however the thread was deleted. A listener that fails fails
   * the delete (the messages are gone; a retry answers 404 and runs nothing).
   */
  onThreadDeleted(listener: ThreadDeletedListener): void {
    this.threadDeletedListeners.push(listener);
  }

  /**
   * The thread's latest messages, oldest first, for the next provider call: whole exchanges
   * only, at most `maxMessages`. `subThreadId` undefined/null is the thread's main line.
   */
  history(
    orgId: string,
    threadId: string,
    subThreadId?: string | null,
    opts: { maxMessages?: number } = {},
  ): Promise<ConversationMessage[]> {
    const max = Math.max(1, opts.maxMessages ?? DEFAULT_HISTORY_MESSAGES);
    return this.repo.recentMessages(ref(orgId, threadId, subThreadId), max);
  }

  /** Stores one exchange (e.g. user message, tool rounds, answer) atomically: all or nothing. */
  async appendExchange(
    orgId: string,
    threadId: string,
    subThreadId: string | null | undefined,
    messages: ConversationMessageInput[],
    opts: AppendOptions = {},
  ): Promise<ConversationMessage[]> {
    if (messages.length === 0) return [];
    if (messages.length > MAX_MESSAGES_PER_EXCHANGE) {
      throw new AppException(
        ErrorCode.VALIDATION_FAILED,
        `An exchange holds at most ${MAX_MESSAGES_PER_EXCHANGE} messages`,
      );
    }
    return this.repo.appendExchange(ref(orgId, threadId, subThreadId), {
      exchangeId: opts.exchangeId ?? newId(EXCHANGE_ID_PREFIX),
      createdAt: opts.createdAt ?? new Date(),
      messages,
    });
  }

  /**
   * A page of the thread's messages in conversation order (or newest first); 404 when the
   * thread has none at all.
   */
  async listMessages(
    orgId: string,
    threadId: string,
    subThreadId: string | null | undefined,
    page: PageRequest,
    order: MessageOrder = 'asc',
  ): Promise<Page<ConversationMessage>> {
    const res = await this.repo.listMessages(ref(orgId, threadId, subThreadId), page, order);
    if (res.items.length === 0 && page.cursor === undefined) {
      const where = subThreadId ? ` (sub-thread ${subThreadId})` : '';
      throw new AppException(ErrorCode.NOT_FOUND, `Thread ${threadId}${where} not found`);
    }
    return res;
  }

  /**
   * One message of the thread by its id (`<exchange_id>:<position>`); null when the thread has
   * no such message (or the id is not of that shape).
   */
  async getMessage(
    orgId: string,
    threadId: string,
    subThreadId: string | null | undefined,
    messageId: string,
  ): Promise<ConversationMessage | null> {
    const split = messageId.lastIndexOf(':');
    const exchangeId = messageId.slice(0, split);
    const position = messageId.slice(split + 1);
    // Client input: only an id of the shape the store writes is looked up (no NUL reaches it).
    if (!SAFE_ID_PATTERN.test(exchangeId) || !/^\d{1,9}$/.test(position)) return null;
    return this.repo.getMessage(ref(orgId, threadId, subThreadId), exchangeId, Number(position));
  }

  /**
   * Deletes the thread and its sub-threads; 404 when the org has no such thread, so another
   * org's thread (or a mistyped id) is not reported as deleted.
   */
  async deleteThread(orgId: string, threadId: string): Promise<number> {
    const deleted = await this.repo.deleteThread(orgId, threadId);
    if (deleted === 0) {
      throw new AppException(ErrorCode.NOT_FOUND, `Thread ${threadId} not found`);
    }
    await Promise.all(this.threadDeletedListeners.map((l) => l(orgId, threadId)));
    return deleted;
  }
}

const ref = (orgId: string, threadId: string, subThreadId?: string | null): ThreadRef => ({
  orgId,
  threadId,
  subThreadId: subThreadId ?? null,
});
