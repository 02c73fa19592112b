import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { EMBEDDED_PG_SETTINGS, EmbeddedPostgres } from './embedded-postgres';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function query(db: EmbeddedPostgres, sql: string): Promise<unknown[]> {
  const client = new Client({
    host: db.socketDir,
    port: 5432,
    user: 'postgres',
    database: 'postgres',
  });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('EmbeddedPostgres', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aimw-embedded-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serves the pg driver from its own process, keeps data across restarts, and stops with its owner', async () => {
    const first = await EmbeddedPostgres.start(dataDir);
    const pid = first.pid!;
    expect(pid).not.toBe(process.pid);
    expect(alive(pid)).toBe(true);
    await query(first, 'CREATE TABLE kept (v text)');
    await query(first, "INSERT INTO kept VALUES ('hello')");
    await first.stop();
    expect(alive(pid)).toBe(false);

    // Second start: the data directory exists, so no initialisation, and the row is there.
    const second = await EmbeddedPostgres.start(dataDir);
    try {
      expect(await query(second, 'SELECT v FROM kept')).toEqual([{ v: 'hello' }]);
      // Sized for a gateway, not a database server (PGlite's stock shared_buffers is 128MB).
      for (const [name, value] of Object.entries(EMBEDDED_PG_SETTINGS)) {
        expect(await query(second, `SHOW ${name}`)).toEqual([{ [name]: value }]);
      }
    } finally {
      await second.stop();
    }
    expect(alive(second.pid!)).toBe(false);
  });
});
