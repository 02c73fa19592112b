import type { Connection } from 'mongoose';
import { modelOn } from '../../../infra/document-store/mongo-model';
import {
  fromMongoDoc,
  MongoOrgStore,
  type MongoDoc,
} from '../../../infra/document-store/mongo-org-store';
import type { ServiceName } from '../../providers';
import { duplicateProviderKeyMessage } from '../provider-key.messages';
import { PROVIDER_KEY_ID_PREFIX, type StoredProviderKey } from '../provider-key.types';
import type { ProviderKeysRepository } from '../provider-keys.repository';
import { PROVIDER_KEY_MODEL, ProviderKeySchema } from './provider-key.schema';

export class MongoProviderKeysRepository
  extends MongoOrgStore<StoredProviderKey>
  implements ProviderKeysRepository
{
  constructor(connection: Connection) {
    super(modelOn(connection, PROVIDER_KEY_MODEL, ProviderKeySchema), {
      idPrefix: PROVIDER_KEY_ID_PREFIX,
      conflictMessage: duplicateProviderKeyMessage,
      sealedField: 'key_sealed',
    });
  }

  async getByService(orgId: string, service: ServiceName): Promise<StoredProviderKey | undefined> {
    const doc = await this.model
      .findOne(this.scope(orgId, { service }))
      .lean<MongoDoc<StoredProviderKey>>();
    return doc ? fromMongoDoc(doc) : undefined;
  }
}
