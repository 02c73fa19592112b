import type { StoredConversation } from './response-record';

/**
 * Port (and DI token) for conversation records (metadata); the items live in the thread of the
 * same id (ConversationsRepository). Scoped by org like every document-store record.
 */
export abstract class ConversationRecordsRepository {
  /** Stores a new record; a duplicate id in the org rejects (see `isUniqueViolation`). */
  abstract insert(c: StoredConversation): Promise<void>;

  abstract get(orgId: string, id: string): Promise<StoredConversation | null>;

  /** Replaces the metadata; null when there is no such record in the org. */
  abstract updateMetadata(
    orgId: string,
    id: string,
    metadata: Record<string, string>,
  ): Promise<StoredConversation | null>;

  abstract delete(orgId: string, id: string): Promise<boolean>;
}
