import type { DataSource, Repository } from 'typeorm';
import type { ConversationRecordsRepository } from '../conversation-records.repository';
import type { StoredConversation } from '../response-record';
import { ConversationRecordEntity } from './conversation-record.entity';

/** Conversation records in Postgres, every query keyed by the (org_id, id) primary key. */
export class PostgresConversationRecordsRepository implements ConversationRecordsRepository {
  private readonly repo: Repository<ConversationRecordEntity>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(ConversationRecordEntity);
  }

  async insert(c: StoredConversation): Promise<void> {
    await this.repo.insert({ ...c });
  }

  async get(orgId: string, id: string): Promise<StoredConversation | null> {
    const row = await this.repo.findOneBy({ org_id: orgId, id });
    return row ? { ...row } : null;
  }

  async updateMetadata(
    orgId: string,
    id: string,
    metadata: Record<string, string>,
  ): Promise<StoredConversation | null> {
    const res = await this.repo.update({ org_id: orgId, id }, { metadata });
    if (res.affected === 0) return null;
    return this.get(orgId, id);
  }

  async delete(orgId: string, id: string): Promise<boolean> {
    const res = await this.repo.delete({ org_id: orgId, id });
    return (res.affected ?? 0) > 0;
  }
}
