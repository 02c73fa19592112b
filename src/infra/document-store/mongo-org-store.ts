import type { FilterQuery, Model, UpdateQuery } from 'mongoose';
import { newId } from '../../common/ids/new-id';
import {
  decodeTimeIdCursor,
  pageSize,
  timeIdKey,
  toPage,
  type Page,
  type PageRequest,
} from '../../common/pagination';
import {
  definedOnly,
  type OrgRecord,
  type OrgScopedStore,
  type RecordFields,
  type SealedColumnMaintenance,
  type SealedValue,
} from './org-record';
import { fromMongoKeys, toMongoKeys } from './mongo-keys';
import { conflictOnDuplicate } from './unique-violation';

/** A record as stored in MongoDB: our public string id is the `_id` (never an ObjectId). */
export type MongoDoc<R extends OrgRecord> = Omit<R, 'id'> & { _id: string };

/** A stored document as the record it holds (keys the store could not hold unescaped). */
export function fromMongoDoc<R extends OrgRecord>(doc: MongoDoc<R>): R {
  const { _id, ...rest } = fromMongoKeys(doc);
  return { id: _id, ...rest } as unknown as R;
}

export interface MongoOrgStoreOptions<R extends OrgRecord> {
  idPrefix: string;
  /** The 409 message when a unique index (e.g. org + name) rejects a write. */
  conflictMessage: (fields: Partial<RecordFields<R>>) => string;
  /** The column holding an encrypted value, when the record has one (see key rotation). */
  sealedField?: keyof RecordFields<R> & string;
}

/**
 * Org-scoped CRUD on a mongoose model. Every filter carries `org_id`; queries are lean and
 * ordered by the (org_id, created_at, _id) index the schemas declare.
 */
export class MongoOrgStore<R extends OrgRecord>
  implements OrgScopedStore<R>, SealedColumnMaintenance
{
  constructor(
    protected readonly model: Model<MongoDoc<R>>,
    private readonly options: MongoOrgStoreOptions<R>,
  ) {}

  /** Resolves once the model's indexes exist, so a unique index is in force before writes. */
  protected ready(): Promise<unknown> {
    return this.model.init();
  }

  async create(orgId: string, fields: RecordFields<R>, id?: string): Promise<R> {
    await this.ready();
    const now = new Date();
    const doc = {
      _id: id ?? newId(this.options.idPrefix),
      org_id: orgId,
      ...fields,
      created_at: now,
      updated_at: now,
    } as unknown as MongoDoc<R>;
    await conflictOnDuplicate(
      () => this.model.create(toMongoKeys(doc)),
      this.options.conflictMessage(fields as Partial<RecordFields<R>>),
    );
    return fromMongoDoc(doc);
  }

  async get(orgId: string, id: string): Promise<R | undefined> {
    const doc = await this.model.findOne(this.scope(orgId, { _id: id })).lean<MongoDoc<R>>();
    return doc ? fromMongoDoc(doc) : undefined;
  }

  async getMany(orgId: string, ids: string[]): Promise<R[]> {
    if (ids.length === 0) return [];
    const docs = await this.model
      .find(this.scope(orgId, { _id: { $in: ids } }))
      .lean<MongoDoc<R>[]>();
    return docs.map((d) => fromMongoDoc(d));
  }

  async list(orgId: string, page: PageRequest): Promise<Page<R>> {
    const size = pageSize(page.limit);
    const after = page.cursor ? decodeTimeIdCursor(page.cursor) : undefined;
    const filter = after
      ? {
          $or: [
            { created_at: { $gt: after.createdAt } },
            { created_at: after.createdAt, _id: { $gt: after.id } },
          ],
        }
      : {};
    const docs = await this.model
      .find(this.scope(orgId, filter))
      .sort({ created_at: 1, _id: 1 })
      .limit(size + 1)
      .lean<MongoDoc<R>[]>();
    return toPage(
      docs.map((d) => fromMongoDoc(d)),
      size,
      timeIdKey,
    );
  }

  async update(orgId: string, id: string, patch: Partial<RecordFields<R>>): Promise<R | undefined> {
    await this.ready();
    const set = toMongoKeys({ ...definedOnly(patch), updated_at: new Date() });
    const doc = await conflictOnDuplicate(
      () =>
        this.model
          .findOneAndUpdate(
            this.scope(orgId, { _id: id }),
            { $set: set },
            { new: true, runValidators: true },
          )
          .lean<MongoDoc<R>>(),
      this.options.conflictMessage(patch),
    );
    return doc ? fromMongoDoc(doc) : undefined;
  }

  async delete(orgId: string, id: string): Promise<boolean> {
    const res = await this.model.deleteOne(this.scope(orgId, { _id: id }));
    return res.deletedCount === 1;
  }

  async scanSealed(afterId: string | undefined, limit: number): Promise<SealedValue[]> {
    const field = this.sealedField();
    const filter = {
      [field]: { $type: 'string' },
      ...(afterId === undefined ? {} : { _id: { $gt: afterId } }),
    } as FilterQuery<MongoDoc<R>>;
    const docs = await this.model
      .find(filter)
      .select({ _id: 1, org_id: 1, [field]: 1 })
      .sort({ _id: 1 })
      .limit(limit)
      .lean<Array<{ _id: string; org_id: string } & Record<string, unknown>>>();
    return docs.map((d) => ({ org_id: d.org_id, id: d._id, sealed: d[field] as string }));
  }

  async swapSealed(orgId: string, id: string, expected: string, next: string): Promise<boolean> {
    const field = this.sealedField();
    const update = { $set: { [field]: next } } as UpdateQuery<MongoDoc<R>>;
    const res = await this.model.updateOne(
      this.scope(orgId, { _id: id, [field]: expected }),
      update,
    );
    return res.modifiedCount === 1;
  }

  private sealedField(): string {
    const field = this.options.sealedField;
    if (field === undefined) throw new Error('this store has no sealed column');
    return field;
  }

  /** Every query goes through here: the org filter cannot be forgotten. */
  protected scope(orgId: string, filter: object): FilterQuery<MongoDoc<R>> {
    return { ...filter, org_id: orgId };
  }
}
