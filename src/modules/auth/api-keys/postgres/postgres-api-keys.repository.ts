import type { DataSource } from 'typeorm';
import { PostgresOrgStore } from '../../../../infra/document-store/postgres-org-store';
import { API_KEY_ID_PREFIX, type ApiKey } from '../api-key.types';
import { duplicateApiKeyMessage, type ApiKeysRepository } from '../api-keys.repository';
import { ApiKeyEntity } from './api-key.entity';

export class PostgresApiKeysRepository
  extends PostgresOrgStore<ApiKeyEntity>
  implements ApiKeysRepository
{
  constructor(dataSource: DataSource) {
    super(dataSource.getRepository(ApiKeyEntity), {
      idPrefix: API_KEY_ID_PREFIX,
      conflictMessage: duplicateApiKeyMessage,
    });
  }

  async findByHash(keyHash: string): Promise<ApiKey | undefined> {
    const row = await this.repo.findOneBy({ key_hash: keyHash });
    return row ? { ...row } : undefined;
  }

  async markUsed(orgId: string, id: string, at: Date): Promise<void> {
    await this.repo.update(this.scope(orgId, { id }), { last_used_at: at });
  }
}
