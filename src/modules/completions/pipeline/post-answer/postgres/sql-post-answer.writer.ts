import type { DataSource } from 'typeorm';
import { GroupCommit } from '../../../../../common/batching/group-commit';
import { BulkInsert } from '../../../../../infra/postgres/bulk-insert';
import {
  CallLogEntity,
  completeCallLog,
  ConversationMessageEntity,
  toStoredMessage,
} from '../../../../conversations';
import { toUsageEntityValues, UsageMetricEntity } from '../../../../metrics';
import type { PostAnswerRecord } from '../post-answer.record';
import { PostAnswerWriteError, PostAnswerWriter } from '../post-answer.writer';

/** Answers whose records share one statement at most. */
const MAX_GROUP = 100;
/** Bound parameters per statement (PostgreSQL allows 65 535); a larger group is split. */
const MAX_PARAMS = 30_000;
const BOTH = new Set(['documents', 'metrics'] as const);

/**
 * Documents and metrics in the same PostgreSQL (or embedded PGlite): the records of answers
 * arriving together become ONE statement, data-modifying CTEs inserting the thread messages,
 * call logs and usage rows, each `ON CONFLICT DO NOTHING` (idempotent by exchange, log and row
 * id). One statement is one round trip and one commit, and atomic: a record is stored whole
 * or not at all.
 */
export class SqlPostAnswerWriter extends PostAnswerWriter {
  private readonly messages: BulkInsert<ConversationMessageEntity>;
  private readonly logs: BulkInsert<CallLogEntity>;
  private readonly usage: BulkInsert<UsageMetricEntity>;
  private readonly group: GroupCommit<PostAnswerRecord>;

  constructor(private readonly dataSource: DataSource) {
    super();
    const opts = { onConflictDoNothing: true };
    this.messages = new BulkInsert(dataSource, ConversationMessageEntity, opts);
    this.logs = new BulkInsert(dataSource, CallLogEntity, opts);
    this.usage = new BulkInsert(dataSource, UsageMetricEntity, opts);
    this.group = new GroupCommit((records) => this.writeAll(records), MAX_GROUP);
  }

  async write(r: PostAnswerRecord): Promise<void> {
    try {
      await this.group.add(r);
    } catch (e) {
      throw new PostAnswerWriteError(BOTH, e);
    }
  }

  private async writeAll(records: PostAnswerRecord[]): Promise<void> {
    let chunk: PostAnswerRecord[] = [];
    let size = 0;
    for (const r of records) {
      const params = paramsOf(r);
      if (chunk.length > 0 && size + params > MAX_PARAMS) {
        await this.statement(chunk);
        chunk = [];
        size = 0;
      }
      chunk.push(r);
      size += params;
    }
    if (chunk.length > 0) await this.statement(chunk);
  }

  private async statement(records: PostAnswerRecord[]): Promise<void> {
    const params: unknown[] = [];
    const inserts: string[] = [];
    const messages = records.flatMap((r) => {
      const x = r.exchange;
      if (!x) return [];
      const scope = { org_id: r.org_id, thread_id: x.thread_id, sub_thread_id: x.sub_thread_id };
      const exchange = { exchangeId: x.exchange_id, createdAt: r.at };
      return x.messages.map((m, i) => {
        const { id: _id, ...row } = toStoredMessage(scope, exchange, m, i);
        return row;
      });
    });
    if (messages.length > 0) inserts.push(this.messages.statement(messages, params));
    const logs = records.flatMap((r) => (r.call_log ? [completeCallLog(r.call_log)] : []));
    if (logs.length > 0) inserts.push(this.logs.statement(logs, params));
    const usage = records.flatMap((r) => r.usage.map(toUsageEntityValues));
    if (usage.length > 0) inserts.push(this.usage.statement(usage, params));
    const last = inserts.pop();
    if (last === undefined) return;
    const sql =
      inserts.length === 0
        ? last
        : `WITH ${inserts.map((s, i) => `w${i} AS (${s})`).join(', ')} ${last}`;
    await this.dataSource.query(sql, params);
  }
}

/** Bound parameters a record needs (columns per row of each table, generously). */
function paramsOf(r: PostAnswerRecord): number {
  return (r.exchange?.messages.length ?? 0) * 14 + 20 + r.usage.length * 20;
}
