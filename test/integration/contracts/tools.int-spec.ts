import { randomBytes } from 'node:crypto';
import { SecretBox } from '../../../src/common/crypto';
import { MongoToolsRepository } from '../../../src/modules/tools/mongo/mongo-tools.repository';
import { PostgresToolsRepository } from '../../../src/modules/tools/postgres/postgres-tools.repository';
import type { StoredToolFields } from '../../../src/modules/tools/tool.types';
import { ToolsRepository } from '../../../src/modules/tools/tools.repository';
import { ToolsService } from '../../../src/modules/tools/tools.service';
import { adapterFor, describeEachBackend, newOrg } from './backends';
import { orgStoreContract } from './org-store.contract';

const fields = (name: string): StoredToolFields => ({
  name,
  description: 'Current weather',
  parameters: { type: 'object', properties: {}, required: [] },
  url: 'https://tools.example.com/weather',
  method: 'POST',
  headers_sealed: null,
  header_names: [],
  timeout_ms: 5000,
});

describeEachBackend('ToolsRepository contract', (backend) => {
  let repo: ToolsRepository;
  beforeAll(() => {
    repo = adapterFor(ToolsRepository, backend(), MongoToolsRepository, PostgresToolsRepository);
  });

  orgStoreContract({
    store: () => repo,
    idPrefix: 'tool',
    fields,
    patch: { method: 'GET', timeout_ms: 1000, header_names: ['x-a'], headers_sealed: 'enc:x' },
    uniqueField: 'name',
  });

  it('swaps a sealed value only when it is still the expected one, within the org', async () => {
    const org = newOrg();
    const t = await repo.create(org, { ...fields('sealed'), headers_sealed: 'enc:v1:old' });
    expect(await repo.swapSealed(newOrg(), t.id, 'enc:v1:old', 'enc:v1:new')).toBe(false);
    expect(await repo.swapSealed(org, t.id, 'enc:v1:other', 'enc:v1:new')).toBe(false);
    expect(await repo.swapSealed(org, t.id, 'enc:v1:old', 'enc:v1:new')).toBe(true);
    expect((await repo.get(org, t.id))?.headers_sealed).toBe('enc:v1:new');
  });

  it('scans sealed values in id order, skipping records without one', async () => {
    const org = newOrg();
    const withHeaders = await repo.create(org, { ...fields('s1'), headers_sealed: 'enc:a' });
    const without = await repo.create(org, fields('s2'));
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const batch = await repo.scanSealed(after, 50);
      if (batch.length === 0) break;
      const ids = batch.map((v) => v.id);
      expect(ids).toEqual([...ids].sort());
      seen.push(...ids);
      after = ids[ids.length - 1];
    }
    expect(seen).toContain(withHeaders.id);
    expect(seen).not.toContain(without.id);
  });

  describe('with the service: header encryption', () => {
    const keyA = randomBytes(32);
    const keyB = randomBytes(32);

    it('stores headers sealed, shows only their names, and decrypts them for execution', async () => {
      const tools = new ToolsService(repo, new SecretBox(keyA));
      const org = newOrg();
      const view = await tools.create(org, {
        name: 'secret_tool',
        url: 'https://tools.example.com/x',
        headers: { authorization: 'Bearer very-secret-token' },
      });
      expect(view).toMatchObject({ header_names: ['authorization'], method: 'POST' });
      expect(JSON.stringify(view)).not.toContain('very-secret-token');
      const stored = await repo.get(org, view.id);
      expect(stored?.headers_sealed).toMatch(/^enc:v1:/);
      expect(stored?.headers_sealed).not.toContain('very-secret-token');
      const [exec] = await tools.getMany(org, [view.id]);
      expect(exec.headers).toEqual({ authorization: 'Bearer very-secret-token' });
      await expect(tools.getMany(newOrg(), [view.id])).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    });

    it('keeps headers readable across a key rotation and re-encrypts them', async () => {
      const org = newOrg();
      const before = new ToolsService(repo, new SecretBox(keyA));
      const { id } = await before.create(org, {
        name: 'rotating_tool',
        url: 'https://tools.example.com/x',
        headers: { 'x-api-key': 'k-123' },
      });
      const newKeyOnly = new ToolsService(repo, new SecretBox(keyB));
      await expect(newKeyOnly.getMany(org, [id])).rejects.toMatchObject({ code: 'INTERNAL' });

      const during = new ToolsService(repo, new SecretBox(keyB, [keyA]));
      expect((await during.getMany(org, [id]))[0].headers).toEqual({ 'x-api-key': 'k-123' });
      const report = await during.reencryptAll();
      expect(report.resealed).toBeGreaterThanOrEqual(1);

      const after = new ToolsService(repo, new SecretBox(keyB));
      expect((await after.getMany(org, [id]))[0].headers).toEqual({ 'x-api-key': 'k-123' });
    });
  });
});
