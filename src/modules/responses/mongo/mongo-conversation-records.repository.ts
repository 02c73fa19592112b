import type { Connection, Model } from 'mongoose';
import { modelOn } from '../../../infra/document-store/mongo-model';
import { fromMongoKeys, toMongoKeys } from '../../../infra/document-store/mongo-keys';
import type { ConversationRecordsRepository } from '../conversation-records.repository';
import type { StoredConversation } from '../response-record';
import {
  CONVERSATION_RECORD_MODEL,
  ConversationRecordSchema,
  recordKey,
  type ConversationRecordDoc,
} from './conversation-record.schema';

/**
 * Conversation records in MongoDB (or FerretDB). Metadata keys may hold `.` or start with `$`
 * (they are the client's), so they are stored escaped.
 */
export class MongoConversationRecordsRepository implements ConversationRecordsRepository {
  private readonly model: Model<ConversationRecordDoc>;

  constructor(connection: Connection) {
    this.model = modelOn(connection, CONVERSATION_RECORD_MODEL, ConversationRecordSchema);
  }

  async insert(c: StoredConversation): Promise<void> {
    await this.model.init();
    await this.model.create({
      _id: recordKey(c.org_id, c.id),
      org_id: c.org_id,
      id: c.id,
      metadata: toMongoKeys(c.metadata),
      created_at: c.created_at,
    });
  }

  async get(orgId: string, id: string): Promise<StoredConversation | null> {
    const doc = await this.model.findOne({ org_id: orgId, id }).lean<ConversationRecordDoc>();
    return doc ? fromDoc(doc) : null;
  }

  async updateMetadata(
    orgId: string,
    id: string,
    metadata: Record<string, string>,
  ): Promise<StoredConversation | null> {
    const doc = await this.model
      .findOneAndUpdate(
        { org_id: orgId, id },
        { $set: { metadata: toMongoKeys(metadata) } },
        { new: true },
      )
      .lean<ConversationRecordDoc>();
    return doc ? fromDoc(doc) : null;
  }

  async delete(orgId: string, id: string): Promise<boolean> {
    const res = await this.model.deleteOne({ org_id: orgId, id });
    return res.deletedCount === 1;
  }
}

function fromDoc(d: ConversationRecordDoc): StoredConversation {
  return {
    id: d.id,
    org_id: d.org_id,
    metadata: fromMongoKeys(d.metadata) as Record<string, string>,
    created_at: d.created_at,
  };
}
