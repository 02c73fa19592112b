import { randomBytes } from 'node:crypto';
import { SecretBox } from '../../../src/common/crypto';
import { MongoProviderKeysRepository } from '../../../src/modules/provider-keys/mongo/mongo-provider-keys.repository';
import { PostgresProviderKeysRepository } from '../../../src/modules/provider-keys/postgres/postgres-provider-keys.repository';
import type { StoredProviderKeyFields } from '../../../src/modules/provider-keys/provider-key.types';
import { ProviderKeysRepository } from '../../../src/modules/provider-keys/provider-keys.repository';
import { ProviderKeysService } from '../../../src/modules/provider-keys/provider-keys.service';
import { SERVICES, type ServiceName } from '../../../src/modules/providers/provider.types';
import { adapterFor, describeEachBackend, newOrg } from './backends';
import { orgStoreContract } from './org-store.contract';

/**
 * The unique field is the service: each new unique value takes the next service (a test makes
 * at most six per org), and the same value always maps to the same service.
 */
const serviceOf = new Map<string, ServiceName>();
const fields = (unique = `u${serviceOf.size}`): StoredProviderKeyFields => ({
  service:
    serviceOf.get(unique) ??
    serviceOf.set(unique, SERVICES[serviceOf.size % SERVICES.length]).get(unique)!,
  key_sealed: 'enc:v1:placeholder',
  masked_key: 'sk-...abcd',
  base_url: null,
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
  beforeEach(() => {
    serviceOf.clear();
  });

  orgStoreContract({
    store: () => repo,
    idPrefix: 'pkey',
    fields,
    patch: { base_url: 'https://proxy.example.com/v1', masked_key: 'sk-...wxyz' },
    uniqueField: 'service',
  });

  it('finds the key of a service within the org only', async () => {
    const [a, b] = [newOrg(), newOrg()];
    const k = await repo.create(a, { ...fields(), service: 'groq' });
    expect(await repo.getByService(a, 'groq')).toEqual(k);
    expect(await repo.getByService(a, 'openai')).toBeUndefined();
    expect(await repo.getByService(b, 'groq')).toBeUndefined();
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
      expect(await keys.resolve(org, service)).toEqual({ apiKey: secret });
      expect(await keys.resolve(newOrg(), service)).toBeUndefined();
      await expect(keys.create(org, { service, api_key: secret })).rejects.toMatchObject({
        code: 'CONFLICT',
      });
    });

    it('sees an update or a delete at once on the same instance (no stale cache)', async () => {
      const keys = new ProviderKeysService(repo, new SecretBox(keyA));
      const org = newOrg();
      const { id } = await keys.create(org, { service, api_key: 'sk-first-key-000' });
      expect(await keys.resolve(org, service)).toEqual({ apiKey: 'sk-first-key-000' });
      await keys.update(org, id, { api_key: 'sk-second-key-111', base_url: 'http://proxy:8080' });
      expect(await keys.resolve(org, service)).toEqual({
        apiKey: 'sk-second-key-111',
        baseUrl: 'http://proxy:8080',
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
      expect(await during.resolve(org, service)).toEqual({ apiKey: secret });
      const sealedBefore = (await repo.get(org, id))!.key_sealed;
      const report = await during.reencryptAll();
      expect(report.resealed).toBeGreaterThanOrEqual(1);
      const sealedAfter = (await repo.get(org, id))!.key_sealed;
      expect(sealedAfter).not.toBe(sealedBefore);
      expect(new SecretBox(keyB).isStale(sealedAfter)).toBe(false);

      const after = new ProviderKeysService(repo, new SecretBox(keyB));
      expect(await after.resolve(org, service)).toEqual({ apiKey: secret });
      // A second pass has nothing left to do for this record.
      const again = await during.reencryptAll();
      expect((await repo.get(org, id))!.key_sealed).toBe(sealedAfter);
      expect(again.scanned).toBeGreaterThanOrEqual(1);
    });
  });
});
