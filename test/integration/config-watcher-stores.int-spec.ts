import { CatalogOverridesRepository } from '../../src/modules/catalog-overrides/catalog-overrides.repository';
import { MongoCatalogOverridesRepository } from '../../src/modules/catalog-overrides/mongo/mongo-catalog-overrides.repository';
import { PostgresCatalogOverridesRepository } from '../../src/modules/catalog-overrides/postgres/postgres-catalog-overrides.repository';
import type { CatalogOverrides } from '../../src/modules/providers';
import type { StoredCatalogOverrides } from '../../src/modules/catalog-overrides/catalog-overrides.types';
import { MongoOrgSettingsRepository } from '../../src/modules/settings/mongo/mongo-org-settings.repository';
import { OrgSettingsRepository } from '../../src/modules/settings/org-settings.repository';
import { PostgresOrgSettingsRepository } from '../../src/modules/settings/postgres/postgres-org-settings.repository';
import type { OrgSettingsFields } from '../../src/modules/settings/org-settings.types';
import { adapterFor, describeEachBackend, newOrg } from './contracts/backends';

const fields = (url: string | null): OrgSettingsFields => ({
  error_webhook_url: url,
  error_webhook_secret_sealed: url ? 'v1.sealed' : null,
  error_webhook_secret_hint: url ? 'whsec_...abcd' : null,
});

describeEachBackend('OrgSettingsRepository contract', (backend) => {
  let repo: OrgSettingsRepository;
  beforeAll(() => {
    repo = adapterFor(
      OrgSettingsRepository,
      backend(),
      MongoOrgSettingsRepository,
      PostgresOrgSettingsRepository,
    );
  });

  it('creates the org record on first write and replaces its fields after', async () => {
    const org = newOrg();
    expect(await repo.get(org)).toBeUndefined();
    const first = await repo.upsert(org, fields('https://a.example.com/'));
    expect(first).toEqual({
      id: expect.stringMatching(/^oset_/),
      org_id: org,
      ...fields('https://a.example.com/'),
      created_at: expect.any(Date),
      updated_at: expect.any(Date),
    });
    const second = await repo.upsert(org, fields(null));
    expect(second).toMatchObject({ id: first.id, org_id: org, ...fields(null) });
    expect(second.created_at.getTime()).toBe(first.created_at.getTime());
    expect(second.updated_at.getTime()).toBeGreaterThanOrEqual(first.updated_at.getTime());
    expect(await repo.get(org)).toEqual(second);
  });

  it('keeps one record per org under concurrent first writes, and orgs apart', async () => {
    const org = newOrg();
    const other = newOrg();
    const results = await Promise.all([
      repo.upsert(org, fields('https://1.example.com/')),
      repo.upsert(org, fields('https://2.example.com/')),
      repo.upsert(other, fields('https://other.example.com/')),
    ]);
    expect(results[0].id).toBe(results[1].id);
    expect((await repo.get(other))?.error_webhook_url).toBe('https://other.example.com/');
    expect((await repo.get(org))?.id).toBe(results[0].id);
  });
});

describeEachBackend('CatalogOverridesRepository contract', (backend) => {
  let repo: CatalogOverridesRepository;
  beforeAll(() => {
    repo = adapterFor(
      CatalogOverridesRepository,
      backend(),
      MongoCatalogOverridesRepository,
      PostgresCatalogOverridesRepository,
    );
  });

  it('keeps the one deployment record, nested nulls and empty objects intact', async () => {
    // The record is deployment-wide and the servers are shared: put back what was there.
    const before: StoredCatalogOverrides | undefined = await repo.get();
    try {
      const overrides: CatalogOverrides = {
        version: 'contract',
        services: { openai: { models: { 'gpt-4.1': null, 'x-model': { params: {} } } } },
      };
      const saved = await repo.put(overrides, 'ops');
      expect(saved).toMatchObject({ id: 'catalog', overrides, updated_by: 'ops' });
      expect(await repo.get()).toMatchObject({ id: 'catalog', overrides, updated_by: 'ops' });
      const cleared = await repo.put({}, 'ops-2');
      expect(cleared).toMatchObject({ overrides: {}, updated_by: 'ops-2' });
      expect(cleared.created_at.getTime()).toBe(saved.created_at.getTime());
    } finally {
      await repo.put(before?.overrides ?? {}, before?.updated_by ?? 'contract-test');
    }
  });
});
