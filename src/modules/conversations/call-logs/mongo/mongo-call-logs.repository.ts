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
    // Without transactions (FerretDB), a batch that fails part-way is undone by deleting
    // what it wrote: its ids are ours and new, so nothing else can be hit.
    try {
      await this.model.insertMany(
        logs.map(({ id, ...rest }) => ({ _id: id, ...rest })),
        { ordered: true },
      );
    } catch (e) {
      await this.model.deleteMany({ _id: { $in: logs.map((l) => l.id) } });
      throw e;
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
