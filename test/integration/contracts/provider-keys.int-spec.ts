import { randomBytes } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { SecretBox } from '../../../src/common/crypto';
import { MongoProviderKeysRepository } from '../../../src/modules/provider-keys/mongo/mongo-provider-keys.repository';
import { PostgresProviderKeysRepository } from '../../../src/modules/provider-keys/postgres/postgres-provider-keys.repository';
import type { StoredProviderKeyFields } from '../../../src/modules/provider-keys/provider-key.types';
import { ProviderKeysRepository } from '../../../src/modules/provider-keys/provider-keys.repository';
import { ProviderKeysService } from '../../../src/modules/provider-keys/provider-keys.service';
import { SERVICES, type ServiceName } from '../../../src/modules/providers/provider.types';
import { describeWithServices, SERVICE_URLS } from '../../support/services';
import { adapterFor, describeEachBackend, newOrg } from './backends';
import { orgStoreContract } from './org-store.contract';

/** Several keys per org and service are allowed: no unique field; `unique` names the key. */
const fields = (unique = 'k'): StoredProviderKeyFields => ({
  service: SERVICES[unique.length % SERVICES.length],
  key_sealed: 'enc:v1:placeholder',
  masked_key: 'sk-...abcd',
  base_url: null,
  weight: 1,
  name: unique,
});

describeEachBackend('ProviderKeysRepository contract', (backend) => {
  let repo: ProviderKeysRepository;
  beforeAll(() => {
    repo = adapterFor(
      ProviderKeysRepository,
      backend(),
      MongoProviderKeysRepository,
      PostgresProviderKeysRepository,
    );
  });
  orgStoreContract({
    store: () => repo,
    idPrefix: 'pkey',
    fields,
    patch: { base_url: 'https://proxy.example.com/v1', masked_key: 'sk-...wxyz', weight: 7 },
  });

  it("lists a service's keys (several, with weights) within the org only, oldest first", async () => {
    const [a, b] = [newOrg(), newOrg()];
    const k1 = await repo.create(a, { ...fields('one'), service: 'groq', weight: 1 });
    const k2 = await repo.create(a, { ...fields('two'), service: 'groq', weight: 3 });
    await repo.create(a, { ...fields('three'), service: 'openai' });
    expect(await repo.listByService(a, 'groq')).toEqual([k1, k2]);
    expect((await repo.listByService(a, 'groq')).map((k) => k.weight)).toEqual([1, 3]);
    expect(await repo.listByService(a, 'mistral')).toEqual([]);
    expect(await repo.listByService(b, 'groq')).toEqual([]);
  });

  describe('with the service: encryption round trip and rotation', () => {
    const keyA = randomBytes(32);
    const keyB = randomBytes(32);
    const service: ServiceName = 'anthropic';
    const secret = 'sk-ant-api03-abcdefghijklmnop-WXYZ';

    it('stores the key sealed, returns it masked and resolves it decrypted for its org only', async () => {
      const keys = new ProviderKeysService(repo, new SecretBox(keyA));
      const org = newOrg();
      const view = await keys.create(org, { service, api_key: secret });
      expect(view.masked_key).toBe('sk-...WXYZ');
      expect(JSON.stringify(view)).not.toContain('abcdefghijklmnop');
      const stored = await repo.get(org, view.id);
      expect(stored?.key_sealed).toMatch(/^enc:v1:/);
      expect(stored?.key_sealed).not.toContain('abcdefghijklmnop');
      expect(await keys.resolve(org, service)).toEqual({ apiKey: secret, weight: 1 });
      expect(await keys.resolve(newOrg(), service)).toBeUndefined();
      // A second key for the service joins the org's pool.
      const second = await keys.create(org, { service, api_key: `${secret}-2`, weight: 3 });
      expect(second).toMatchObject({ weight: 3, name: null });
      expect(await keys.resolveAll(org, service)).toEqual([
        { apiKey: secret, weight: 1 },
        { apiKey: `${secret}-2`, weight: 3 },
      ]);
      expect(await keys.resolveAll(newOrg(), service)).toEqual([]);
    });

    it('sees an update or a delete at once on the same instance (no stale cache)', async () => {
      const keys = new ProviderKeysService(repo, new SecretBox(keyA));
      const org = newOrg();
      const { id } = await keys.create(org, { service, api_key: 'sk-first-key-000' });
      expect(await keys.resolve(org, service)).toEqual({ apiKey: 'sk-first-key-000', weight: 1 });
      await keys.update(org, id, {
        api_key: 'sk-second-key-111',
        base_url: 'http://proxy:8080',
        weight: 5,
      });
      expect(await keys.resolve(org, service)).toEqual({
        apiKey: 'sk-second-key-111',
        baseUrl: 'http://proxy:8080',
        weight: 5,
      });
      await keys.delete(org, id);
      expect(await keys.resolve(org, service)).toBeUndefined();
    });

    it('rotates the encryption key without losing a key', async () => {
      const org = newOrg();
      const { id } = await new ProviderKeysService(repo, new SecretBox(keyA)).create(org, {
        service,
        api_key: secret,
      });
      await expect(
        new ProviderKeysService(repo, new SecretBox(keyB)).resolve(org, service),
      ).rejects.toMatchObject({ code: 'INTERNAL' });

      const during = new ProviderKeysService(repo, new SecretBox(keyB, [keyA]));
      expect(await during.resolve(org, service)).toEqual({ apiKey: secret, weight: 1 });
      const sealedBefore = (await repo.get(org, id))!.key_sealed;
      const report = await during.reencryptAll();
      expect(report.resealed).toBeGreaterThanOrEqual(1);
      const sealedAfter = (await repo.get(org, id))!.key_sealed;
      expect(sealedAfter).not.toBe(sealedBefore);
      expect(new SecretBox(keyB).isStale(sealedAfter)).toBe(false);

      const after = new ProviderKeysService(repo, new SecretBox(keyB));
      expect(await after.resolve(org, service)).toEqual({ apiKey: secret, weight: 1 });
      // A second pass has nothing left to do for this record.
      const again = await during.reencryptAll();
      expect((await repo.get(org, id))!.key_sealed).toBe(sealedAfter);
      expect(again.scanned).toBeGreaterThanOrEqual(1);
    });
  });
});

describeWithServices(
  ['MONGODB_URI'],
  'MongoDB provider keys of the one-key-per-service days',
  () => {
    let connection: Connection | undefined;
    const dbName = `keybalance_legacy_${randomBytes(4).toString('hex')}`;
    beforeAll(async () => {
      connection = await mongoose
        .createConnection(SERVICE_URLS.MONGODB_URI!, {
          serverSelectionTimeoutMS: 5000,
          autoIndex: true,
          bufferCommands: false,
        })
        .asPromise();
    });
    afterAll(async () => {
      await connection?.useDb(dbName).dropDatabase();
      await connection?.close();
    });

    it('drops the unique (org, service) index and reads old keys as weight 1, unnamed', async () => {
      const db = connection!.useDb(dbName);
      const org = newOrg();
      const legacy = db.collection('provider_keys');
      await legacy.createIndex({ org_id: 1, service: 1 }, { unique: true });
      const now = new Date();
      await legacy.insertOne({
        _id: 'pkey_legacy000000000000001' as never,
        org_id: org,
        service: 'openai',
        key_sealed: 'enc:v1:placeholder',
        masked_key: 'sk-...abcd',
        base_url: null,
        created_at: now,
        updated_at: now,
      });
      const repo = new MongoProviderKeysRepository(db);
      const second = await repo.create(org, { ...fields('two'), service: 'openai', weight: 4 });
      const pool = await repo.listByService(org, 'openai');
      expect(pool.map((k) => [k.id, k.weight, k.name])).toEqual([
        ['pkey_legacy000000000000001', 1, null],
        [second.id, 4, 'two'],
      ]);
      expect((await legacy.indexes()).map((i) => i.name)).not.toContain('org_id_1_service_1');
    });
  },
);
