import type { DataSource } from 'typeorm';
import { PostgresOrgStore } from '../../../infra/document-store/postgres-org-store';
import type { ServiceName } from '../../providers';
import { duplicateProviderKeyMessage } from '../provider-key.messages';
import { PROVIDER_KEY_ID_PREFIX, type StoredProviderKey } from '../provider-key.types';
import type { ProviderKeysRepository } from '../provider-keys.repository';
import { ProviderKeyEntity } from './provider-key.entity';

export class PostgresProviderKeysRepository
  extends PostgresOrgStore<ProviderKeyEntity>
  implements ProviderKeysRepository
{
  constructor(dataSource: DataSource) {
    super(dataSource.getRepository(ProviderKeyEntity), {
      idPrefix: PROVIDER_KEY_ID_PREFIX,
      conflictMessage: duplicateProviderKeyMessage,
      sealedField: 'key_sealed',
    });
  }

  async getByService(orgId: string, service: ServiceName): Promise<StoredProviderKey | undefined> {
    const row = await this.repo.findOneBy(this.scope(orgId, { service }));
    return row ? { ...row } : undefined;
  }
}
