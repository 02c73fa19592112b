import type { Page, PageRequest } from '../../common/pagination';

/** What every document-store record has: a public id, its org, and timestamps. */
export interface OrgRecord {
  id: string;
  org_id: string;
  created_at: Date;
  updated_at: Date;
}

/** The caller-supplied part of a record (the store adds id, org and timestamps). */
export type RecordFields<R extends OrgRecord> = Omit<R, keyof OrgRecord>;

/**
 * CRUD scoped by org, the shape shared by agents, tools and provider keys. Every method takes
 * the org: a record of another org is indistinguishable from a missing one (`undefined`).
 * Unique clashes reject with a 409 AppException.
 */
export interface OrgScopedStore<R extends OrgRecord> {
  /** `id` lets a caller that must know the id up front (e.g. to bind a ciphertext) choose it. */
  create(orgId: string, fields: RecordFields<R>, id?: string): Promise<R>;
  get(orgId: string, id: string): Promise<R | undefined>;
  getMany(orgId: string, ids: string[]): Promise<R[]>;
  list(orgId: string, page: PageRequest): Promise<Page<R>>;
  update(orgId: string, id: string, patch: Partial<RecordFields<R>>): Promise<R | undefined>;
  delete(orgId: string, id: string): Promise<boolean>;
}

/** Drops undefined entries so a patch never overwrites a field it does not mention. */
export function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** One encrypted value, as seen by the re-encryption job. */
export interface SealedValue {
  org_id: string;
  id: string;
  sealed: string;
}

/**
 * Maintenance access to a store's encrypted column, used only by key rotation (never by a
 * request). These are the only reads that span orgs: re-encryption must visit every record.
 */
export interface SealedColumnMaintenance {
  /** Records holding a sealed value, ordered by id, after `afterId`. */
  scanSealed(afterId: string | undefined, limit: number): Promise<SealedValue[]>;
  /** Replaces the sealed value only if it is still `expected` (so a concurrent edit wins). */
  swapSealed(orgId: string, id: string, expected: string, next: string): Promise<boolean>;
}
