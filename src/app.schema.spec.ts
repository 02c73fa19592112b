import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PostgresConnection } from './infra/postgres/postgres.connection';
import { SQL_ENTITIES, SQL_MIGRATIONS } from './app.schema';

/**
 * The check that fails when an entity changes without a migration: run every migration on a
 * fresh database, then ask TypeORM what `synchronize` would still do. Anything it prints is
 * a schema change that no migration makes.
 */
describe('SQL migrations', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aimw-migrations-'));
  let conn: PostgresConnection;

  beforeAll(async () => {
    conn = await PostgresConnection.open({
      dataDir,
      entities: SQL_ENTITIES,
      migrations: SQL_MIGRATIONS,
    });
  });
  afterAll(async () => {
    await conn?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('have all run on a fresh database', async () => {
    const rows: Array<{ name: string }> = await conn.dataSource.query(
      'SELECT name FROM migrations ORDER BY id',
    );
    expect(rows.map((r) => r.name).sort()).toEqual(
      SQL_MIGRATIONS.map((m) => new (m as new () => { name?: string })().name ?? m.name).sort(),
    );
  });

  it('leave nothing for the schema builder to change (every entity change has a migration)', async () => {
    const pending = await conn.dataSource.driver.createSchemaBuilder().log();
    const queries = pending.upQueries.map((q) => q.query);
    expect(queries).toEqual([]);
  });

  it('can be reverted and re-applied', async () => {
    for (let i = 0; i < SQL_MIGRATIONS.length; i++) await conn.dataSource.undoLastMigration();
    const tables: Array<{ tablename: string }> = await conn.dataSource.query(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations'`,
    );
    expect(tables).toEqual([]);
    await conn.dataSource.runMigrations();
    const pending = await conn.dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries).toEqual([]);
  });
});
