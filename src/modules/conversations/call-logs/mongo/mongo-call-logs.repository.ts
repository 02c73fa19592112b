import type { Connection, Model } from 'mongoose';
import {
  decodeTimeIdCursor,
  pageSize,
  timeIdKey,
  toPage,
  type Page,
  type PageRequest,
} from '../../../../common/pagination';
import { modelOn } from '../../../../infra/document-store/mongo-model';
import { onlyDuplicateKeys } from '../../../../infra/document-store/unique-violation';
import type { CallLog, CallLogFilter } from '../call-log.types';
import type { CallLogsRepository } from '../call-logs.repository';
import { CALL_LOG_MODEL, CallLogSchema, type CallLogDoc } from './call-log.schema';

export class MongoCallLogsRepository implements CallLogsRepository {
  private readonly model: Model<CallLogDoc>;

  constructor(connection: Connection) {
    this.model = modelOn(connection, CALL_LOG_MODEL, CallLogSchema);
  }

  async insertMany(logs: CallLog[]): Promise<void> {
    if (logs.length === 0) return;
    // Unordered: every log that is not stored yet is written even when others of the batch
    // already are (a retry after an unknown outcome); those duplicates are the only errors
    // ignored. A batch that fails part-way for another reason is retried whole by the caller,
    // which completes it without writing anything twice.
    try {
      await this.model.insertMany(
        logs.map(({ id, ...rest }) => ({ _id: id, ...rest })),
        // A document failing validation must fail the call, not be skipped silently.
        { ordered: false, throwOnValidationError: true },
      );
    } catch (e) {
      if (!onlyDuplicateKeys(e)) throw e;
    }
  }

  async list(orgId: string, filter: CallLogFilter, page: PageRequest): Promise<Page<CallLog>> {
    const size = pageSize(page.limit);
    const query: Record<string, unknown> = { org_id: orgId };
    if (filter.agent_id !== undefined) query.agent_id = filter.agent_id;
    if (filter.thread_id !== undefined) query.thread_id = filter.thread_id;
    if (page.cursor) {
      const before = decodeTimeIdCursor(page.cursor);
      query.$or = [
        { created_at: { $lt: before.createdAt } },
        { created_at: before.createdAt, _id: { $lt: before.id } },
      ];
    }
    const docs = await this.model
      .find(query)
      .sort({ created_at: -1, _id: -1 })
      .limit(size + 1)
      .lean<CallLogDoc[]>();
    return toPage(
      docs.map(({ _id, ...rest }) => ({ id: _id, ...rest })),
      size,
      timeIdKey,
    );
  }
}
