import type { DataSource } from 'typeorm';
import { GroupCommit } from '../../../../../common/batching/group-commit';
import { BulkInsert } from '../../../../../infra/postgres/bulk-insert';
import { fromStoredRecord, toStoredRecord, type PostAnswerRecord } from '../post-answer.record';
import { PostAnswerOutbox, type OutboxEntry, type StoreKind } from '../post-answer.spool';
import { PostAnswerOutboxEntity } from './outbox.entity';

/** Records per INSERT at most when concurrent holds are grouped. */
const MAX_GROUP = 200;

/** The outbox in PostgreSQL (`post_answer_outbox`); claims use FOR UPDATE SKIP LOCKED. */
export class PostgresOutbox extends PostAnswerOutbox {
  readonly name = 'outbox_postgres';
  private readonly group: GroupCommit<Partial<PostAnswerOutboxEntity>>;

  constructor(
    private readonly dataSource: DataSource,
    readonly store: StoreKind,
  ) {
    super();
    const bulk = new BulkInsert(dataSource, PostAnswerOutboxEntity, { onConflictDoNothing: true });
    this.group = new GroupCommit((rows) => bulk.insert(rows), MAX_GROUP);
  }

  hold(r: PostAnswerRecord): Promise<void> {
    return this.group.add({
      id: r.id,
      org_id: r.org_id,
      record: toStoredRecord(r),
      attempts: 0,
      next_attempt_at: new Date(),
      created_at: new Date(),
      last_error: null,
    });
  }

  async claimDue(limit: number, now: Date, leaseUntil: Date): Promise<OutboxEntry[]> {
    const res: unknown = await this.dataSource.query(
      `UPDATE "post_answer_outbox" SET "next_attempt_at" = $3
       WHERE "id" IN (SELECT "id" FROM "post_answer_outbox" WHERE "next_attempt_at" <= $2
                      ORDER BY "next_attempt_at" LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING "record", "attempts"`,
      [limit, now, leaseUntil],
    );
    const rows = (Array.isArray(res) && Array.isArray(res[0]) ? res[0] : []) as Array<{
      record: unknown;
      attempts: number;
    }>;
    return rows.map((r) => ({ record: fromStoredRecord(r.record), attempts: r.attempts }));
  }

  async remove(ids: string[]): Promise<void> {
    if (ids.length > 0) {
      await this.dataSource.query(`DELETE FROM "post_answer_outbox" WHERE "id" = ANY($1)`, [ids]);
    }
  }

  async retryLater(id: string, error: string, at: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE "post_answer_outbox" SET "attempts" = "attempts" + 1, "last_error" = $2,
         "next_attempt_at" = $3 WHERE "id" = $1`,
      [id, error.slice(0, 500), at],
    );
  }
}
