import type { DataSource, Repository } from 'typeorm';
import { BulkInsert } from '../../../../infra/postgres/bulk-insert';
import {
  decodeTimeIdCursor,
  pageSize,
  timeIdKey,
  toPage,
  type Page,
  type PageRequest,
} from '../../../../common/pagination';
import type { CallLog, CallLogFilter } from '../call-log.types';
import type { CallLogsRepository } from '../call-logs.repository';
import { CallLogEntity } from './call-log.entity';

export class PostgresCallLogsRepository implements CallLogsRepository {
  private readonly repo: Repository<CallLogEntity>;
  private bulk: BulkInsert<CallLogEntity> | undefined;

  constructor(private readonly dataSource: DataSource) {
    this.repo = dataSource.getRepository(CallLogEntity);
  }

  async insertMany(logs: CallLog[]): Promise<void> {
    if (logs.length === 0) return;
    // One multi-row INSERT: a batch is stored whole or not at all; ids already stored are
    // skipped (a retry of a batch whose commit was not acknowledged).
    this.bulk ??= new BulkInsert(this.dataSource, CallLogEntity, { onConflictDoNothing: true });
    await this.bulk.insert(logs);
  }

  async list(orgId: string, filter: CallLogFilter, page: PageRequest): Promise<Page<CallLog>> {
    const size = pageSize(page.limit);
    const qb = this.repo
      .createQueryBuilder('l')
      .where('l.org_id = :orgId', { orgId })
      .orderBy('l.created_at', 'DESC')
      .addOrderBy('l.id', 'DESC')
      .limit(size + 1);
    if (filter.agent_id !== undefined) qb.andWhere('l.agent_id = :a', { a: filter.agent_id });
    if (filter.thread_id !== undefined) qb.andWhere('l.thread_id = :t', { t: filter.thread_id });
    if (page.cursor) {
      const before = decodeTimeIdCursor(page.cursor);
      qb.andWhere('(l.created_at, l.id) < (:at, :id)', { at: before.createdAt, id: before.id });
    }
    const rows = await qb.getMany();
    return toPage(
      rows.map((r) => ({ ...r })),
      size,
      timeIdKey,
    );
  }
}
