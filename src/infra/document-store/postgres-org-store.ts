import type { FindOptionsWhere, Repository } from 'typeorm';
import { In } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
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
import { conflictOnDuplicate } from './unique-violation';

export interface PostgresOrgStoreOptions<R extends OrgRecord> {
  idPrefix: string;
  /** The 409 message when a unique index (e.g. org + name) rejects a write. */
  conflictMessage: (fields: Partial<RecordFields<R>>) => string;
  /** The column holding an encrypted value, when the record has one (see key rotation). */
  sealedField?: keyof RecordFields<R> & string;
}

/**
 * Org-scoped CRUD on a TypeORM repository whose entity mirrors the record (snake_case
 * properties = columns). Every query is filtered by `org_id` and served by an
 * (org_id, created_at, id) index that the entity declares.
 */
export class PostgresOrgStore<R extends OrgRecord>
  implements OrgScopedStore<R>, SealedColumnMaintenance
{
  constructor(
    protected readonly repo: Repository<R>,
    private readonly options: PostgresOrgStoreOptions<R>,
  ) {}

  async create(orgId: string, fields: RecordFields<R>, id?: string): Promise<R> {
    const now = new Date();
    const record = {
      id: id ?? newId(this.options.idPrefix),
      org_id: orgId,
      ...fields,
      created_at: now,
      updated_at: now,
    } as R;
    await conflictOnDuplicate(
      () => this.repo.insert(record as QueryDeepPartialEntity<R>),
      this.options.conflictMessage(fields as Partial<RecordFields<R>>),
    );
    return record;
  }

  async get(orgId: string, id: string): Promise<R | undefined> {
    const row = await this.repo.findOneBy(this.scope(orgId, { id }));
    return row ? plain(row) : undefined;
  }

  async getMany(orgId: string, ids: string[]): Promise<R[]> {
    if (ids.length === 0) return [];
    const rows = await this.repo.findBy(this.scope(orgId, { id: In(ids) }));
    return rows.map(plain);
  }

  async list(orgId: string, page: PageRequest): Promise<Page<R>> {
    const size = pageSize(page.limit);
    const qb = this.repo
      .createQueryBuilder('r')
      .where('r.org_id = :orgId', { orgId })
      .orderBy('r.created_at', 'ASC')
      .addOrderBy('r.id', 'ASC')
      .limit(size + 1);
    if (page.cursor) {
      const after = decodeTimeIdCursor(page.cursor);
      qb.andWhere('(r.created_at, r.id) > (:at, :id)', { at: after.createdAt, id: after.id });
    }
    const rows = await qb.getMany();
    return toPage(rows.map(plain), size, timeIdKey);
  }

  async update(orgId: string, id: string, patch: Partial<RecordFields<R>>): Promise<R | undefined> {
    const set = { ...definedOnly(patch), updated_at: new Date() };
    const res = await conflictOnDuplicate(
      () => this.repo.update(this.scope(orgId, { id }), set as QueryDeepPartialEntity<R>),
      this.options.conflictMessage(patch),
    );
    if (res.affected === 0) return undefined;
    return this.get(orgId, id);
  }

  async delete(orgId: string, id: string): Promise<boolean> {
    const res = await this.repo.delete(this.scope(orgId, { id }));
    return (res.affected ?? 0) > 0;
  }

  async scanSealed(afterId: string | undefined, limit: number): Promise<SealedValue[]> {
    const column = this.sealedColumn();
    const qb = this.repo
      .createQueryBuilder('r')
      .select(['r.id AS id', 'r.org_id AS org_id', `r.${column} AS sealed`])
      .where(`r.${column} IS NOT NULL`)
      .orderBy('r.id', 'ASC')
      .limit(limit);
    if (afterId !== undefined) qb.andWhere('r.id > :afterId', { afterId });
    return qb.getRawMany<SealedValue>();
  }

  async swapSealed(orgId: string, id: string, expected: string, next: string): Promise<boolean> {
    const column = this.sealedColumn();
    const res = await this.repo
      .createQueryBuilder()
      .update()
      .set({ [column]: next } as unknown as QueryDeepPartialEntity<R>)
      .where(`id = :id AND org_id = :orgId AND ${column} = :expected`, { id, orgId, expected })
      .execute();
    return res.affected === 1;
  }

  private sealedColumn(): string {
    const column = this.options.sealedField;
    if (column === undefined) throw new Error('this store has no sealed column');
    return column;
  }

  /** Every query goes through here: the org filter cannot be forgotten. */
  protected scope(orgId: string, where: object): FindOptionsWhere<R> {
    return { ...where, org_id: orgId } as FindOptionsWhere<R>;
  }
}

/** Entity instance -> plain record (same fields, no class prototype). */
function plain<R>(row: R): R {
  return { ...row };
}
