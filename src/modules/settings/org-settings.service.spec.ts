import { randomBytes } from 'node:crypto';
import { SecretBox } from '../../common/crypto';
import { EgressPolicy } from '../../common/egress';
import { AppException } from '../../common/errors';
import { ConfigChangeBus, type ConfigChange } from '../config-watcher';
import type { OrgSettingsRepository } from './org-settings.repository';
import type { OrgSettings, OrgSettingsFields } from './org-settings.types';
import { OrgSettingsService } from './org-settings.service';

/** An in-memory repository that counts reads (to see what the cache saves). */
class MemoryRepo implements OrgSettingsRepository {
  readonly rows = new Map<string, OrgSettings>();
  reads = 0;
  async get(orgId: string): Promise<OrgSettings | undefined> {
    this.reads++;
    const row = this.rows.get(orgId);
    return row ? { ...row } : undefined;
  }
  async upsert(orgId: string, fields: OrgSettingsFields): Promise<OrgSettings> {
    const now = new Date();
    const prev = this.rows.get(orgId);
    const row: OrgSettings = {
      id: prev?.id ?? `oset_${orgId}`,
      org_id: orgId,
      ...fields,
      created_at: prev?.created_at ?? now,
      updated_at: now,
    };
    this.rows.set(orgId, row);
    return { ...row };
  }
}

describe('OrgSettingsService', () => {
  let repo: MemoryRepo;
  let bus: ConfigChangeBus;
  let announced: ConfigChange[];
  let service: OrgSettingsService;
  const box = new SecretBox(randomBytes(32));

  beforeEach(() => {
    repo = new MemoryRepo();
    bus = new ConfigChangeBus();
    announced = [];
    bus.subscribe(undefined, (e) => {
      if (e.type === 'change') announced.push(e.change);
    });
    service = new OrgSettingsService(
      repo,
      box,
      bus,
      new EgressPolicy({ allowPrivate: false, allowlist: [] }),
    );
    service.onModuleInit();
  });
  afterEach(() => service.onModuleDestroy());

  it('generates a secret once, seals it, and announces the change', async () => {
    const { view, generatedSecret } = await service.update('o', {
      error_webhook_url: 'https://hooks.example.com/e',
    });
    expect(generatedSecret).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(view.error_webhook_secret_hint).toBe(`whsec_...${generatedSecret!.slice(-4)}`);
    const stored = repo.rows.get('o')!;
    expect(stored.error_webhook_secret_sealed).not.toContain(generatedSecret!.slice(6));
    expect(announced).toEqual([{ kind: 'org_settings', org_id: 'o', id: 'oset_o', op: 'upsert' }]);
    expect(await service.webhookTarget('o')).toEqual({
      url: 'https://hooks.example.com/e',
      secret: generatedSecret,
    });
  });

  it('serves the webhook target from its cache until a change event drops it', async () => {
    await service.update('o', { error_webhook_url: 'https://a.example.com/' });
    await service.webhookTarget('o');
    const reads = repo.reads;
    await service.webhookTarget('o');
    expect(repo.reads).toBe(reads);

    // Another instance changed the URL: the event arrives, the next read sees it.
    await repo.upsert('o', { ...repo.rows.get('o')!, error_webhook_url: 'https://b.example.com/' });
    bus.receive({ kind: 'org_settings', org_id: 'o', id: 'oset_o', op: 'upsert' });
    expect((await service.webhookTarget('o'))?.url).toBe('https://b.example.com/');
  });

  it('keeps, replaces, rotates and clears the secret as asked', async () => {
    const first = await service.update('o', { error_webhook_url: 'https://a.example.com/' });
    const moved = await service.update('o', { error_webhook_url: 'https://b.example.com/' });
    expect(moved.generatedSecret).toBeUndefined();
    expect((await service.webhookTarget('o'))?.secret).toBe(first.generatedSecret);

    const rotated = await service.update('o', { rotate_error_webhook_secret: true });
    expect(rotated.generatedSecret).not.toBe(first.generatedSecret);

    const own = await service.update('o', { error_webhook_secret: 'bring-your-own-secret-77' });
    expect(own.generatedSecret).toBeUndefined();
    expect(own.view.error_webhook_secret_hint).toBe('...t-77');
    expect((await service.webhookTarget('o'))?.secret).toBe('bring-your-own-secret-77');

    const cleared = await service.update('o', { error_webhook_url: null });
    expect(cleared.view).toMatchObject({
      error_webhook_url: null,
      error_webhook_secret_hint: null,
    });
    expect(await service.webhookTarget('o')).toBeUndefined();
  });

  it('refuses contradictory or unusable input', async () => {
    await expect(
      service.update('o', { error_webhook_secret: 'bring-your-own-secret-77' }),
    ).rejects.toThrow(/needs an error_webhook_url/);
    await expect(
      service.update('o', {
        error_webhook_url: 'https://a.example.com/',
        error_webhook_secret: 'bring-your-own-secret-77',
        rotate_error_webhook_secret: true,
      }),
    ).rejects.toBeInstanceOf(AppException);
    await expect(
      service.update('o', { error_webhook_url: 'http://10.0.0.5/hook' }),
    ).rejects.toThrow(/egress policy/);
    expect(repo.rows.size).toBe(0);
  });

  it('answers 503 when no encryption key is configured', async () => {
    const keyless = new OrgSettingsService(repo, new SecretBox(undefined), bus);
    await expect(
      keyless.update('o', { error_webhook_url: 'https://a.example.com/' }),
    ).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});
