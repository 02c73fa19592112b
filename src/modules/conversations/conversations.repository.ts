import type { Page, PageRequest } from '../../common/pagination';
import type { ConversationMessage, ExchangeToAppend } from './conversation.types';

/** Which way a page of messages runs: conversation order, or newest first. */
export type MessageOrder = 'asc' | 'desc';

/** Which conversation: `subThreadId` null is the thread's main line. */
export interface ThreadRef {
  orgId: string;
  threadId: string;
  subThreadId: string | null;
}

/**
 * Port (and DI token) for conversation threads; bound to the MongoDB or Postgres adapter by
 * `provideRepository`. Everything is scoped by org: another org's thread has no messages.
 */
export abstract class ConversationsRepository {
  /**
   * Stores all messages of one exchange or none (Postgres: one transaction; MongoDB: one
   * document). Appending an exchange id that already exists in the org stores nothing and
   * returns the messages stored the first time.
   */
  abstract appendExchange(
    thread: ThreadRef,
    exchange: ExchangeToAppend,
  ): Promise<ConversationMessage[]>;

  /**
   * Messages a page at a time, in conversation order (`asc`) or newest first (`desc`); a
   * cursor continues in the order it was made in.
   */
  abstract listMessages(
    thread: ThreadRef,
    page: PageRequest,
    order?: MessageOrder,
  ): Promise<Page<ConversationMessage>>;

  /** One message of the thread by exchange and position; null when the thread has none such. */
  abstract getMessage(
    thread: ThreadRef,
    exchangeId: string,
    position: number,
  ): Promise<ConversationMessage | null>;

  /**
   * The newest messages, oldest first: at most `maxMessages`, always whole exchanges (see
   * `newestWholeExchanges`).
   */
  abstract recentMessages(thread: ThreadRef, maxMessages: number): Promise<ConversationMessage[]>;

  /** Deletes a thread (every sub-thread); returns how many messages went. */
  abstract deleteThread(orgId: string, threadId: string): Promise<number>;
}
