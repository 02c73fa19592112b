import type { DataSource } from 'typeorm';
import { BulkInsert } from './bulk-insert';

interface Row {
  id: string;
  meta: unknown;
  n: number | null;
}

/** Just enough of a DataSource: the entity's column metadata and a recording `query`. */
function fakeDataSource() {
  const calls: { sql: string; params: unknown[] }[] = [];
  const ds = {
    getMetadata: () => ({
      tableName: 'my"table',
      columns: [
        { databaseName: 'id', propertyName: 'id', type: 'text' },
        { databaseName: 'meta_json', propertyName: 'meta', type: 'jsonb' },
        { databaseName: 'n', propertyName: 'n', type: 'integer' },
      ],
    }),
    query: (sql: string, params: unknown[]) => {
      calls.push({ sql, params });
      return Promise.resolve([]);
    },
  };
  return { ds: ds as unknown as DataSource, calls };
}

describe('BulkInsert', () => {
  it('inserts every row in one statement with bound parameters, columns from the entity', async () => {
    const { ds, calls } = fakeDataSource();
    await new BulkInsert<Row>(ds, 'Row').insert([
      { id: 'a', meta: { k: 1 }, n: 1 },
      { id: "b'); DROP TABLE x; --", meta: ['x'], n: null },
    ]);
    expect(calls).toHaveLength(1);
    expect(calls[0].sql).toBe(
      'INSERT INTO "my""table" ("id", "meta_json", "n") VALUES ($1, $2, $3), ($4, $5, $6)',
    );
    // JSON columns get JSON text (an array must not become a Postgres array); NULL stays NULL.
    expect(calls[0].params).toEqual(['a', '{"k":1}', 1, "b'); DROP TABLE x; --", '["x"]', null]);
  });

  it('uses the column default for properties left undefined, and can ignore conflicts', async () => {
    const { ds, calls } = fakeDataSource();
    await new BulkInsert<Row>(ds, 'Row', { onConflictDoNothing: true }).insert([{ id: 'a' }]);
    expect(calls[0].sql).toBe(
      'INSERT INTO "my""table" ("id", "meta_json", "n") VALUES ($1, DEFAULT, DEFAULT) ON CONFLICT DO NOTHING',
    );
    expect(calls[0].params).toEqual(['a']);
  });

  it('sends nothing for an empty batch', async () => {
    const { ds, calls } = fakeDataSource();
    await new BulkInsert<Row>(ds, 'Row').insert([]);
    expect(calls).toEqual([]);
  });
});
