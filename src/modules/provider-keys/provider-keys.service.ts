import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  OnModuleInit,
  Optional,
} from '@nestjs/common';
import { DecryptionError, EncryptionUnavailableError, SecretBox } from '../../common/crypto';
import type { ConfigType } from '@nestjs/config';
import { EgressPolicy } from '../../common/egress';
import { AppException, ErrorCode, isStoreUnavailable } from '../../common/errors';
import { storesConfig } from '../../config';
import { newId } from '../../common/ids/new-id';
import type { Page, PageRequest } from '../../common/pagination';
import { BackgroundReseal } from '../../infra/document-store/background-reseal';
import { resealColumn, type ResealReport } from '../../infra/document-store/reseal';
import { ReadThroughCache } from '../../common/cache/read-through-cache';
import { ConfigChangeBus } from '../config-watcher';
import {
  displayBaseUrl,
  SERVICES,
  tenantBaseUrlProblem,
  type ResolvedProviderKey,
  type ServiceName,
} from '../providers';
import type { CreateProviderKeyDto } from './dto/create-provider-key.dto';
import type { UpdateProviderKeyDto } from './dto/update-provider-key.dto';
import {
  maskKey,
  PROVIDER_KEY_ID_PREFIX,
  providerKeyContext,
  type ProviderKey,
  type StoredProviderKey,
  type StoredProviderKeyFields,
} from './provider-key.types';
import { ProviderKeysRepository } from './provider-keys.repository';

/** Org provider keys: sealed on write, masked on read, decrypted only by `resolve`. */
@Injectable()
export class ProviderKeysService implements OnApplicationBootstrap, OnModuleInit, OnModuleDestroy {
  /**
   * Resolved keys by (org, service), reused for CONFIG_CACHE_TTL_MS without a lookup. Changes
   * are announced on the config change bus and reach every instance's cache within seconds;
   * the TTL is only the safety net should a change event ever be lost. While the store is
   * down, the last known keys keep serving (empty: the org has none, use the deployment's).
   */
  private readonly cache: ReadThroughCache<ResolvedProviderKey[]>;
  private readonly rotation = new BackgroundReseal(
    'provider keys',
    new Logger(ProviderKeysService.name),
  );

  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly repo: ProviderKeysRepository,
    private readonly box: SecretBox,
    @Optional() private readonly changes?: ConfigChangeBus,
    @Optional() egress?: EgressPolicy,
    @Optional() @Inject(storesConfig.KEY) stores?: ConfigType<typeof storesConfig>,
  ) {
    this.egress = egress ?? new EgressPolicy({ allowPrivate: false, allowlist: [] });
    this.cache = new ReadThroughCache({
      ttlMs: stores?.configCacheTtlMs ?? 30_000,
      negativeTtlMs: stores?.configCacheTtlMs ?? 30_000,
      maxEntries: 10_000,
      serveStaleOn: isStoreUnavailable,
      staleRetryMs: 1_000,
    });
  }

  private readonly egress: EgressPolicy;

  /** Drops cached keys when any instance changes them (the cache is keyed by service, not id). */
  onModuleInit(): void {
    this.unsubscribe = this.changes?.subscribe(['provider_key'], (e) => {
      if (e.type === 'resync' || e.change.org_id === null) this.cache.clear();
      else for (const s of SERVICES) this.cache.invalidate(e.change.org_id, s);
    });
  }

  /** With older keys configured, moves every sealed key to the current key. */
  onApplicationBootstrap(): void {
    if (this.box.canEncrypt && this.box.hasPreviousKeys) {
      this.rotation.start(() => this.reencryptAll());
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.unsubscribe?.();
    await this.rotation.finished();
  }

  async create(orgId: string, dto: CreateProviderKeyDto): Promise<ProviderKey> {
    this.assertBaseUrl(dto.base_url);
    const id = newId(PROVIDER_KEY_ID_PREFIX);
    const fields: StoredProviderKeyFields = {
      service: dto.service,
      ...this.seal(orgId, id, dto.api_key),
      base_url: dto.base_url ?? null,
      weight: dto.weight ?? 1,
      name: dto.name ?? null,
    };
    const created = await this.repo.create(orgId, fields, id);
    this.cache.invalidate(orgId, dto.service);
    await this.announce(orgId, id, 'upsert');
    return toView(created);
  }

  async get(orgId: string, id: string): Promise<ProviderKey> {
    const k = await this.repo.get(orgId, id);
    if (!k) throw notFound(id);
    return toView(k);
  }

  async list(orgId: string, page: PageRequest): Promise<Page<ProviderKey>> {
    const res = await this.repo.list(orgId, page);
    return { items: res.items.map(toView), next_cursor: res.next_cursor };
  }

  async update(orgId: string, id: string, dto: UpdateProviderKeyDto): Promise<ProviderKey> {
    this.assertBaseUrl(dto.base_url);
    const current = await this.repo.get(orgId, id);
    if (!current) throw notFound(id);
    const patch: Partial<StoredProviderKeyFields> = {
      ...(dto.api_key === undefined ? {} : this.seal(orgId, id, dto.api_key)),
      ...(dto.base_url === undefined ? {} : { base_url: dto.base_url }),
      ...(dto.weight === undefined ? {} : { weight: dto.weight }),
      ...(dto.name === undefined ? {} : { name: dto.name }),
    };
    const updated = await this.repo.update(orgId, id, patch);
    if (!updated) throw notFound(id);
    this.cache.invalidate(orgId, current.service);
    await this.announce(orgId, id, 'upsert');
    return toView(updated);
  }

  async delete(orgId: string, id: string): Promise<void> {
    const current = await this.repo.get(orgId, id);
    if (!current || !(await this.repo.delete(orgId, id))) throw notFound(id);
    this.cache.invalidate(orgId, current.service);
    await this.announce(orgId, id, 'delete');
  }

  /**
   * The org's own keys for a service, decrypted, with their weights (oldest first); empty when
   * it has none (the caller then uses the deployment's keys). Cached briefly: it sits on every
   * completion's path.
   */
  async resolveAll(orgId: string, service: ServiceName): Promise<ResolvedProviderKey[]> {
    const pool = await this.cache.get(orgId, service, async () => {
      const stored = await this.repo.listByService(orgId, service);
      return stored.map((k) => this.open(k));
    });
    return pool ?? [];
  }

  /** The org's first (oldest) key for a service, or undefined when it has none. */
  async resolve(orgId: string, service: ServiceName): Promise<ResolvedProviderKey | undefined> {
    return (await this.resolveAll(orgId, service))[0];
  }

  /** Re-encrypts every key still sealed with a previous key (key rotation). */
  reencryptAll(): Promise<ResealReport> {
    return resealColumn(this.repo, this.box, (v) => providerKeyContext(v.org_id, v.id));
  }

  /**
   * Refuses, before anything is stored, a base URL that can never be called: see
   * `tenantBaseUrlProblem` (scheme, credentials, query or fragment, a destination the egress
   * policy refuses without a DNS lookup). Host names are checked again at every call.
   */
  private assertBaseUrl(baseUrl: string | null | undefined): void {
    if (baseUrl === undefined || baseUrl === null) return;
    const problem = tenantBaseUrlProblem(baseUrl, this.egress);
    if (problem)
      throw new AppException(ErrorCode.VALIDATION_FAILED, problem, { param: 'base_url' });
  }

  private async announce(orgId: string, id: string, op: 'upsert' | 'delete'): Promise<void> {
    await this.changes?.announce({ kind: 'provider_key', org_id: orgId, id, op });
  }

  private seal(
    orgId: string,
    id: string,
    apiKey: string,
  ): Pick<StoredProviderKeyFields, 'key_sealed' | 'masked_key'> {
    try {
      return {
        key_sealed: this.box.encrypt(apiKey, providerKeyContext(orgId, id)),
        masked_key: maskKey(apiKey),
      };
    } catch (e) {
      if (e instanceof EncryptionUnavailableError) {
        throw new AppException(
          ErrorCode.SERVICE_UNAVAILABLE,
          'Provider keys cannot be stored: the gateway has no ENCRYPTION_KEY configured',
        );
      }
      throw e;
    }
  }

  private open(k: StoredProviderKey): ResolvedProviderKey {
    try {
      const apiKey = this.box.decrypt(k.key_sealed, providerKeyContext(k.org_id, k.id));
      const weight = k.weight ?? 1;
      return k.base_url === null ? { apiKey, weight } : { apiKey, baseUrl: k.base_url, weight };
    } catch (e) {
      if (e instanceof DecryptionError) {
        throw new AppException(
          ErrorCode.INTERNAL,
          `The org's ${k.service} key cannot be decrypted: was ENCRYPTION_KEY changed without listing the old key in ENCRYPTION_KEY_PREVIOUS?`,
          { cause: e },
        );
      }
      throw e;
    }
  }
}

/** What reads show: never the key, and never credentials in a base URL stored before they were refused. */
function toView(k: StoredProviderKey): ProviderKey {
  const { key_sealed: _sealed, ...view } = k;
  // Records from before key pools carry neither field (MongoDB): weight 1, unnamed.
  return {
    ...view,
    base_url: displayBaseUrl(view.base_url),
    weight: view.weight ?? 1,
    name: view.name ?? null,
  };
}

const notFound = (id: string) =>
  new AppException(ErrorCode.NOT_FOUND, `Provider key ${id} not found`);
