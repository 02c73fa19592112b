import { Schema } from 'mongoose';
import type { StoredConversation } from '../response-record';

export const CONVERSATION_RECORD_MODEL = 'ConversationRecord';

/**
 * A conversation record as stored. The `_id` is `recordKey(org_id, id)`, not the id alone:
 * a conversation id is also a thread id, which the agent API lets clients choose, so two orgs
 * may hold the same one.
 */
export type ConversationRecordDoc = Omit<StoredConversation, 'metadata'> & {
  _id: string;
  metadata: Record<string, unknown>;
};

export const recordKey = (orgId: string, id: string): string => JSON.stringify([orgId, id]);

/** `conversation_records` collection. `minimize: false` keeps `{}` metadata as written. */
export const ConversationRecordSchema = new Schema<ConversationRecordDoc>(
  {
    _id: { type: String, required: true },
    org_id: { type: String, required: true },
    id: { type: String, required: true },
    metadata: { type: Schema.Types.Mixed, required: true },
    created_at: { type: Date, required: true },
  },
  { collection: 'conversation_records', versionKey: false, minimize: false, strict: 'throw' },
);

ConversationRecordSchema.index({ org_id: 1, id: 1 }, { unique: true });
