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

/** The unique (org, service) index of the one-key-per-service days. */
const LEGACY_UNIQUE_INDEX = 'org_id_1_service_1';

export class MongoProviderKeysRepository
  extends MongoOrgStore<StoredProviderKey>
  implements ProviderKeysRepository
{
  private legacyDropped: Promise<void> | undefined;

  constructor(connection: Connection) {
    super(modelOn(connection, PROVIDER_KEY_MODEL, ProviderKeySchema), {
      idPrefix: PROVIDER_KEY_ID_PREFIX,
      conflictMessage: duplicateProviderKeyMessage,
      sealedField: 'key_sealed',
    });
  }

  /** Indexes in place, and the legacy unique index gone, before the first write. */
  protected override async ready(): Promise<unknown> {
    await super.ready();
    this.legacyDropped ??= this.dropLegacyIndex().catch((e: unknown) => {
      this.legacyDropped = undefined; // try again on the next write
      throw e;
    });
    return this.legacyDropped;
  }

  async listByService(orgId: string, service: ServiceName): Promise<StoredProviderKey[]> {
    const docs = await this.model
      .find(this.scope(orgId, { service }))
      .sort({ created_at: 1, _id: 1 })
      .lean<MongoDoc<StoredProviderKey>[]>();
    return docs.map((d) => withPoolDefaults(fromMongoDoc(d)));
  }

  private async dropLegacyIndex(): Promise<void> {
    const indexes = await this.model.collection.indexes();
    if (indexes.some((i) => i.name === LEGACY_UNIQUE_INDEX)) {
      await this.model.collection.dropIndex(LEGACY_UNIQUE_INDEX);
    }
  }
}

/** Documents written before keys had weights and names read as weight 1, unnamed. */
function withPoolDefaults(k: StoredProviderKey): StoredProviderKey {
  return { ...k, weight: k.weight ?? 1, name: k.name ?? null };
}
