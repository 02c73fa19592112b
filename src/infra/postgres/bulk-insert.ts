import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import { storableJson, storableText } from '../document-store/storable';

interface ColumnPlan {
  name: string;
  property: string;
  json: boolean;
}

/**
 * One multi-row INSERT of plain rows into an entity's table, as SQL built here rather than by
 * TypeORM's query builder: for a batch of a few hundred rows the builder's per-value work
 * (parameter naming, lookups and escaping) costs more CPU than the database spends storing
 * them, and it runs on the event loop that serves requests. Columns come from the entity's
 * metadata, so the statement follows the entity; a property left undefined gets the column's
 * DEFAULT, as with the builder. Values are bound parameters, never spliced into the SQL.
 */
export class BulkInsert<T extends ObjectLiteral> {
  private readonly table: string;
  private readonly columns: ColumnPlan[];
  private readonly head: string;

  constructor(
    private readonly dataSource: DataSource,
    entity: EntityTarget<T>,
    private readonly opts: { onConflictDoNothing?: boolean } = {},
  ) {
    const meta = dataSource.getMetadata(entity);
    const q = (id: string) => `"${id.replace(/"/g, '""')}"`;
    this.table = q(meta.tableName);
    this.columns = meta.columns.map((c) => ({
      name: c.databaseName,
      property: c.propertyName,
      json: c.type === 'jsonb' || c.type === 'json',
    }));
    this.head = `INSERT INTO ${this.table} (${this.columns.map((c) => q(c.name)).join(', ')}) VALUES `;
  }

  async insert(rows: readonly Partial<T>[]): Promise<void> {
    if (rows.length === 0) return;
    const params: unknown[] = [];
    await this.dataSource.query(this.statement(rows, params), params);
  }

  /**
   * The INSERT for `rows` as SQL text, its values appended to `params` (numbered after what is
   * already there), so several tables' inserts can be sent as one statement (data-modifying
   * CTEs: `WITH a AS (INSERT ...), b AS (INSERT ...) INSERT ...`), atomic as one.
   */
  statement(rows: readonly Partial<T>[], params: unknown[]): string {
    const tuples: string[] = [];
    for (const row of rows) {
      const cells: string[] = [];
      for (const c of this.columns) {
        const v: unknown = (row as Record<string, unknown>)[c.property];
        if (v === undefined) {
          cells.push('DEFAULT');
          continue;
        }
        // JSON columns get JSON text: pg would send a JS array as a Postgres array otherwise.
        // Rows carry model output and tool results: NUL must not fail the whole batch.
        params.push(
          c.json && v !== null ? storableJson(v) : typeof v === 'string' ? storableText(v) : v,
        );
        cells.push(`$${params.length}`);
      }
      tuples.push(`(${cells.join(', ')})`);
    }
    const tail = this.opts.onConflictDoNothing ? ' ON CONFLICT DO NOTHING' : '';
    return this.head + tuples.join(', ') + tail;
  }
}
