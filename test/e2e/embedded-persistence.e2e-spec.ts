import { DataSource } from 'typeorm';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTestApp } from '../support/test-app';

describe('embedded store', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aimw-persist-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps data in DATA_DIR across a restart', async () => {
    const first = await startTestApp({ DATA_DIR: dataDir });
    const marker = `row-${process.pid}-${Date.now()}`;
    await first.app.get(DataSource).query('CREATE TABLE IF NOT EXISTS persistence_probe (v text)');
    await first.app
      .get(DataSource)
      .query('INSERT INTO persistence_probe (v) VALUES ($1)', [marker]);
    await first.close();

    const second = await startTestApp({ DATA_DIR: dataDir });
    try {
      const rows: Array<{ v: string }> = await second.app
        .get(DataSource)
        .query('SELECT v FROM persistence_probe');
      expect(rows.map((r) => r.v)).toContain(marker);
    } finally {
      await second.close();
    }
  });
});
