import type { Connection } from 'mongoose';
import { modelOn } from '../../../../infra/document-store/mongo-model';
import {
  fromMongoDoc,
  MongoOrgStore,
  type MongoDoc,
} from '../../../../infra/document-store/mongo-org-store';
import { API_KEY_ID_PREFIX, type ApiKey } from '../api-key.types';
import { duplicateApiKeyMessage, type ApiKeysRepository } from '../api-keys.repository';
import { API_KEY_MODEL, ApiKeySchema } from './api-key.schema';

export class MongoApiKeysRepository extends MongoOrgStore<ApiKey> implements ApiKeysRepository {
  constructor(connection: Connection) {
    super(modelOn(connection, API_KEY_MODEL, ApiKeySchema), {
      idPrefix: API_KEY_ID_PREFIX,
      conflictMessage: duplicateApiKeyMessage,
    });
  }

  async findByHash(keyHash: string): Promise<ApiKey | undefined> {
    const doc = await this.model.findOne({ key_hash: keyHash }).lean<MongoDoc<ApiKey>>();
    return doc ? fromMongoDoc(doc) : undefined;
  }

  async markUsed(orgId: string, id: string, at: Date): Promise<void> {
    await this.model.updateOne(this.scope(orgId, { _id: id }), { $set: { last_used_at: at } });
  }
}
