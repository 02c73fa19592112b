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

  async listByService(orgId: string, service: ServiceName): Promise<StoredProviderKey[]> {
    const rows = await this.repo.find({
      where: this.scope(orgId, { service }),
      order: { created_at: 'ASC', id: 'ASC' },
    });
    return rows.map((row) => ({ ...row }));
  }
}
