import { Schema, type Connection, type Model } from 'mongoose';
import { GroupCommit } from '../../../../../common/batching/group-commit';
import { modelOn } from '../../../../../infra/document-store/mongo-model';
import { onlyDuplicateKeys } from '../../../../../infra/document-store/unique-violation';
import { fromStoredRecord, toStoredRecord, type PostAnswerRecord } from '../post-answer.record';
import { PostAnswerOutbox, type OutboxEntry, type StoreKind } from '../post-answer.spool';

interface OutboxDoc {
  _id: string;
  org_id: string;
  record: Record<string, unknown>;
  attempts: number;
  next_attempt_at: Date;
  created_at: Date;
  last_error: string | null;
}

const OutboxSchema = new Schema<OutboxDoc>(
  {
    _id: { type: String, required: true },
    org_id: { type: String, required: true },
    record: { type: Schema.Types.Mixed, required: true },
    attempts: { type: Number, required: true },
    next_attempt_at: { type: Date, required: true },
    created_at: { type: Date, required: true },
    last_error: { type: String, default: null },
  },
  { collection: 'post_answer_outbox', versionKey: false, minimize: false, strict: 'throw' },
);
OutboxSchema.index({ next_attempt_at: 1 });

const MAX_GROUP = 200;

/**
 * The outbox in MongoDB (`post_answer_outbox`). A claim reads the due entries and pushes their
 * due time forward; two instances may claim the same entry at once (MongoDB has no SKIP
 * LOCKED, FerretDB no atomic conditional updates), which only writes it twice: idempotently.
 */
export class MongoOutbox extends PostAnswerOutbox {
  readonly name = 'outbox_mongodb';
  private readonly model: Model<OutboxDoc>;
  private readonly group: GroupCommit<OutboxDoc>;

  constructor(
    connection: Connection,
    readonly store: StoreKind,
  ) {
    super();
    this.model = modelOn(connection, 'PostAnswerOutbox', OutboxSchema);
    this.group = new GroupCommit(async (docs) => {
      try {
        await this.model.insertMany(docs, { ordered: false, throwOnValidationError: true });
      } catch (e) {
        // Held already (a repeat of the same record): nothing to add.
        if (!onlyDuplicateKeys(e)) throw e;
      }
    }, MAX_GROUP);
  }

  hold(r: PostAnswerRecord): Promise<void> {
    const now = new Date();
    return this.group.add({
      _id: r.id,
      org_id: r.org_id,
      record: toStoredRecord(r),
      attempts: 0,
      next_attempt_at: now,
      created_at: now,
      last_error: null,
    });
  }

  async claimDue(limit: number, now: Date, leaseUntil: Date): Promise<OutboxEntry[]> {
    const docs = await this.model
      .find({ next_attempt_at: { $lte: now } })
      .sort({ next_attempt_at: 1 })
      .limit(limit)
      .lean<OutboxDoc[]>();
    if (docs.length === 0) return [];
    await this.model.updateMany(
      { _id: { $in: docs.map((d) => d._id) } },
      { $set: { next_attempt_at: leaseUntil } },
    );
    return docs.map((d) => ({ record: fromStoredRecord(d.record), attempts: d.attempts }));
  }

  async remove(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.model.deleteMany({ _id: { $in: ids } });
  }

  async retryLater(id: string, error: string, at: Date): Promise<void> {
    await this.model.updateOne(
      { _id: id },
      { $inc: { attempts: 1 }, $set: { last_error: error.slice(0, 500), next_attempt_at: at } },
    );
  }
}
