import { Logger } from '@nestjs/common';
import { ModelCatalogService, type CatalogOverrides } from '../providers';
import { ConfigChangeBus } from '../config-watcher';
import type { CatalogOverridesRepository } from './catalog-overrides.repository';
import { CatalogOverridesService } from './catalog-overrides.service';
import { CATALOG_OVERRIDES_ID, type StoredCatalogOverrides } from './catalog-overrides.types';

beforeAll(() => Logger.overrideLogger(false));

class MemoryRepo implements CatalogOverridesRepository {
  stored: StoredCatalogOverrides | undefined;
  failWrites = false;
  async get(): Promise<StoredCatalogOverrides | undefined> {
    return this.stored;
  }
  async put(overrides: CatalogOverrides, updatedBy: string): Promise<StoredCatalogOverrides> {
    if (this.failWrites) throw new Error('store down');
    const now = new Date();
    this.stored = {
      id: CATALOG_OVERRIDES_ID,
      overrides,
      updated_by: updatedBy,
      created_at: this.stored?.created_at ?? now,
      updated_at: now,
    };
    return this.stored;
  }
}

const without41: CatalogOverrides = { services: { openai: { models: { 'gpt-4.1': null } } } };

describe('CatalogOverridesService', () => {
  let repo: MemoryRepo;
  let catalog: ModelCatalogService;
  let bus: ConfigChangeBus;
  let service: CatalogOverridesService;

  beforeEach(async () => {
    repo = new MemoryRepo();
    catalog = new ModelCatalogService();
    bus = new ConfigChangeBus();
    service = new CatalogOverridesService(repo, catalog, bus);
  });
  afterEach(() => service.onModuleDestroy());

  it('applies what is stored at boot: stored overrides win over the file', async () => {
    repo.stored = {
      id: CATALOG_OVERRIDES_ID,
      overrides: without41,
      updated_by: 'ops',
      created_at: new Date(),
      updated_at: new Date(),
    };
    expect(catalog.get('openai', 'gpt-4.1')).toBeDefined();
    await service.onModuleInit();
    expect(catalog.get('openai', 'gpt-4.1')).toBeUndefined();
  });

  it('stores and applies a valid set, and announces it', async () => {
    await service.onModuleInit();
    const seen: string[] = [];
    bus.subscribe(['catalog'], (e) => seen.push(e.type));
    const view = await service.put(without41, 'ops');
    expect(view).toMatchObject({ overrides: without41, updated_by: 'ops' });
    expect(catalog.get('openai', 'gpt-4.1')).toBeUndefined();
    expect(seen).toEqual(['change']);
  });

  it('refuses an invalid set: nothing stored, nothing applied', async () => {
    await service.onModuleInit();
    const bad = { services: { openai: { models: { 'gpt-4o-mini': { context_window: 'big' } } } } };
    await expect(service.put(bad as unknown as CatalogOverrides, 'ops')).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect(repo.stored).toBeUndefined();
    expect(catalog.get('openai', 'gpt-4o-mini')?.context_window).toBeGreaterThan(0);
  });

  it('puts the previous catalog back when the store refuses the write', async () => {
    await service.onModuleInit();
    repo.failWrites = true;
    await expect(service.put(without41, 'ops')).rejects.toThrow('store down');
    expect(catalog.get('openai', 'gpt-4.1')).toBeDefined();
  });

  it('reloads when another instance changed the overrides (not after its own writes)', async () => {
    await service.onModuleInit();
    const gets = jest.spyOn(repo, 'get');
    await service.put({}, 'ops');
    const afterOwnWrite = gets.mock.calls.length;
    repo.stored = {
      id: CATALOG_OVERRIDES_ID,
      overrides: without41,
      updated_by: 'elsewhere',
      created_at: new Date(),
      updated_at: new Date(),
    };
    bus.receive({ kind: 'catalog', org_id: null, id: CATALOG_OVERRIDES_ID, op: 'upsert' });
    expect(gets.mock.calls.length).toBe(afterOwnWrite + 1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(catalog.get('openai', 'gpt-4.1')).toBeUndefined();
  });
});
