import type {
  OrgRecord,
  OrgScopedStore,
  RecordFields,
} from '../../../src/infra/document-store/org-record';
import { newOrg } from './backends';

export interface OrgStoreContract<R extends OrgRecord> {
  store: () => OrgScopedStore<R>;
  idPrefix: string;
  /** Valid fields; `unique` makes the unique field (e.g. name) distinct. */
  fields: (unique: string) => RecordFields<R>;
  /** A patch that changes something visible, and the unique field's name (none: no 409 cases). */
  patch: Partial<RecordFields<R>>;
  uniqueField?: keyof RecordFields<R> & string;
}

/**
 * What every org-scoped store promises, whatever the adapter: CRUD, org isolation (another
 * org's record is "not found"), unique fields (409), keyset pagination in (created_at, id) order.
 */
export function orgStoreContract<R extends OrgRecord>(c: OrgStoreContract<R>): void {
  const uniq = () => `u${Math.random().toString(36).slice(2, 10)}`;

  it('creates a record with a public string id and reads it back identically', async () => {
    const org = newOrg();
    const created = await c.store().create(org, c.fields(uniq()));
    expect(created.id).toMatch(new RegExp(`^${c.idPrefix}_[A-Za-z0-9_-]{22}$`));
    expect(created.org_id).toBe(org);
    expect(created.created_at).toBeInstanceOf(Date);
    expect(await c.store().get(org, created.id)).toEqual(created);
  });

  it('uses the id given by the caller', async () => {
    const org = newOrg();
    const id = `${c.idPrefix}_${'a'.repeat(14)}${uniq()}`;
    const created = await c.store().create(org, c.fields(uniq()), id);
    expect(created.id).toBe(id);
    expect((await c.store().get(org, id))?.id).toBe(id);
  });

  it("treats another org's record as not found for get, getMany, update and delete", async () => {
    const [a, b] = [newOrg(), newOrg()];
    const rec = await c.store().create(a, c.fields(uniq()));
    expect(await c.store().get(b, rec.id)).toBeUndefined();
    expect(await c.store().getMany(b, [rec.id])).toEqual([]);
    expect(await c.store().update(b, rec.id, c.patch)).toBeUndefined();
    expect(await c.store().delete(b, rec.id)).toBe(false);
    expect(await c.store().get(a, rec.id)).toEqual(rec);
    expect((await c.store().list(b, {})).items).toEqual([]);
  });

  const { uniqueField } = c;
  if (uniqueField) uniqueCases(c, uniqueField, uniq);

  it('updates only the fields in the patch and bumps updated_at', async () => {
    const org = newOrg();
    const rec = await c.store().create(org, c.fields(uniq()));
    const withUndefined = uniqueField ? { ...c.patch, [uniqueField]: undefined } : c.patch;
    const updated = await c.store().update(org, rec.id, withUndefined);
    expect(updated).toEqual({
      ...rec,
      ...c.patch,
      ...(uniqueField ? { [uniqueField]: rec[uniqueField] } : {}),
      updated_at: expect.any(Date),
    });
    expect(updated!.updated_at.getTime()).toBeGreaterThanOrEqual(rec.updated_at.getTime());
    expect(await c.store().get(org, rec.id)).toEqual(updated);
  });

  it('deletes', async () => {
    const org = newOrg();
    const rec = await c.store().create(org, c.fields(uniq()));
    expect(await c.store().delete(org, rec.id)).toBe(true);
    expect(await c.store().get(org, rec.id)).toBeUndefined();
    expect(await c.store().delete(org, rec.id)).toBe(false);
  });

  it('pages through every record once, in (created_at, id) order', async () => {
    const org = newOrg();
    const made: R[] = [];
    for (let i = 0; i < 5; i++) made.push(await c.store().create(org, c.fields(uniq())));
    await c.store().create(newOrg(), c.fields(uniq()));
    const seen: R[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await c.store().list(org, { limit: 2, cursor });
      seen.push(...page.items);
      cursor = page.next_cursor ?? undefined;
      pages += 1;
    } while (cursor);
    const expected = [...made].sort(
      (x, y) => x.created_at.getTime() - y.created_at.getTime() || (x.id < y.id ? -1 : 1),
    );
    expect(seen.map((r) => r.id)).toEqual(expected.map((r) => r.id));
    expect(pages).toBe(3);
  });

  it('returns only the asked records of the org from getMany', async () => {
    const org = newOrg();
    const a = await c.store().create(org, c.fields(uniq()));
    const b = await c.store().create(org, c.fields(uniq()));
    await c.store().create(org, c.fields(uniq()));
    const got = await c.store().getMany(org, [b.id, a.id, `${c.idPrefix}_missing000000`]);
    expect(got.map((r) => r.id).sort()).toEqual([a.id, b.id].sort());
    expect(await c.store().getMany(org, [])).toEqual([]);
  });

  it('rejects a malformed cursor with 400', async () => {
    await expect(c.store().list(newOrg(), { cursor: 'not-a-cursor' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      status: 400,
    });
  });
}

/** Stores with a unique field (e.g. name): 409 on a duplicate, per org. */
function uniqueCases<R extends OrgRecord>(
  c: OrgStoreContract<R>,
  uniqueField: keyof RecordFields<R> & string,
  uniq: () => string,
): void {
  it('rejects a duplicate unique value in one org with 409, and allows it in another', async () => {
    const [a, b] = [newOrg(), newOrg()];
    const u = uniq();
    await c.store().create(a, c.fields(u));
    await expect(c.store().create(a, c.fields(u))).rejects.toMatchObject({
      code: 'CONFLICT',
      status: 409,
    });
    await expect(c.store().create(b, c.fields(u))).resolves.toMatchObject({ org_id: b });
    expect((await c.store().list(a, {})).items).toHaveLength(1);
  });

  it('rejects an update onto an existing unique value with 409, leaving the record as it was', async () => {
    const org = newOrg();
    const first = await c.store().create(org, c.fields(uniq()));
    const second = await c.store().create(org, c.fields(uniq()));
    const clash = { [uniqueField]: first[uniqueField] } as Partial<RecordFields<R>>;
    await expect(c.store().update(org, second.id, clash)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(await c.store().get(org, second.id)).toEqual(second);
  });
}
