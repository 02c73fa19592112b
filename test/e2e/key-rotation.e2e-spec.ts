import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { keyIdOf } from '../../src/common/crypto';
import { ProviderKeysService } from '../../src/modules/provider-keys/provider-keys.service';
import { ToolsService } from '../../src/modules/tools/tools.service';
import { authHeaders, signToken, startTestApp } from '../support/test-app';

/**
 * Rotation without data loss, across restarts of the real app: secrets written under the
 * generated embedded key survive a move to ENCRYPTION_KEY, then to a new key, and are
 * re-encrypted at boot.
 */
describe('encryption key rotation (embedded mode, restarts)', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aimw-rotation-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const headers = authHeaders(signToken({ org_id: 'org-rot', scopes: ['admin'] }));
  const keyB = randomBytes(32);
  const keyC = randomBytes(32);

  const sealedKeyIds = async (ds: DataSource) => {
    const keys: Array<{ key_sealed: string }> = await ds.query(
      'SELECT key_sealed FROM provider_keys',
    );
    const tools: Array<{ headers_sealed: string }> = await ds.query(
      'SELECT headers_sealed FROM tools WHERE headers_sealed IS NOT NULL',
    );
    return [...keys.map((k) => k.key_sealed), ...tools.map((t) => t.headers_sealed)].map(
      (s) => s.split(':')[2],
    );
  };

  it('keeps every secret readable and moves it to the current key at boot', async () => {
    // 1. Nothing configured: the key is generated into DATA_DIR.
    const first = await startTestApp({ DATA_DIR: dataDir });
    let toolId: string;
    try {
      const key = await fetch(`${first.url}/api/v1/provider-keys`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ service: 'openai', api_key: 'sk-rotation-test-1234' }),
      });
      expect(key.status).toBe(201);
      const tool = await fetch(`${first.url}/api/v1/tools`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          name: 'rot_tool',
          url: 'https://tools.example.com/x',
          headers: { authorization: 'Bearer tool-rot' },
        }),
      });
      expect(tool.status).toBe(201);
      toolId = ((await tool.json()) as { data: { id: string } }).data.id;
    } finally {
      await first.close({ keepData: true });
    }

    // 2. ENCRYPTION_KEY set: the generated key still opens old values, which are re-sealed.
    const second = await startTestApp({ DATA_DIR: dataDir, ENCRYPTION_KEY: keyB.toString('hex') });
    try {
      expect(await second.app.get(ProviderKeysService).resolve('org-rot', 'openai')).toEqual({
        apiKey: 'sk-rotation-test-1234',
        weight: 1,
      });
    } finally {
      await second.close({ keepData: true });
    }

    // 3. A new key, the previous one listed: everything is re-sealed with the new key.
    const third = await startTestApp({
      DATA_DIR: dataDir,
      ENCRYPTION_KEY: keyC.toString('base64'),
      ENCRYPTION_KEY_PREVIOUS: keyB.toString('hex'),
    });
    try {
      const [tool] = await third.app.get(ToolsService).getMany('org-rot', [toolId]);
      expect(tool.headers).toEqual({ authorization: 'Bearer tool-rot' });
    } finally {
      await third.close({ keepData: true });
    }

    // 4. Only the new key: every stored secret was moved to it and still opens.
    const fourth = await startTestApp({ DATA_DIR: dataDir, ENCRYPTION_KEY: keyC.toString('hex') });
    try {
      expect(await sealedKeyIds(fourth.app.get(DataSource))).toEqual([
        keyIdOf(keyC),
        keyIdOf(keyC),
      ]);
      expect(await fourth.app.get(ProviderKeysService).resolve('org-rot', 'openai')).toEqual({
        apiKey: 'sk-rotation-test-1234',
        weight: 1,
      });
    } finally {
      await fourth.close({ keepData: true });
    }
  });
});
