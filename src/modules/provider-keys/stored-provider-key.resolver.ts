import { Injectable } from '@nestjs/common';
import { ProviderKeyResolver, type ResolvedProviderKey, type ServiceName } from '../providers';
import { ProviderKeysService } from './provider-keys.service';

/**
 * The providers module's org-key source, backed by stored provider keys. Bind it in
 * ProvidersModule with `{ provide: ProviderKeyResolver, useExisting: StoredProviderKeyResolver }`
 * (importing ProviderKeysModule).
 *
 * Concurrent lookups of one (org, service) share one call: every completion resolves its key,
 * and when the service's cached entry expires, every request in flight would otherwise query
 * the store at once (on the embedded store's single connection, the last one waited seconds).
 */
@Injectable()
export class StoredProviderKeyResolver extends ProviderKeyResolver {
  private readonly inflight = new Map<string, Promise<ResolvedProviderKey[]>>();

  constructor(private readonly keys: ProviderKeysService) {
    super();
  }

  async resolve(orgId: string, service: ServiceName): Promise<ResolvedProviderKey | undefined> {
    return (await this.resolveAll(orgId, service))[0];
  }

  /** The org's weighted pool for the service (every key it holds for it). */
  override resolveAll(orgId: string, service: ServiceName): Promise<ResolvedProviderKey[]> {
    const key = `${orgId}\u0000${service}`;
    const running = this.inflight.get(key);
    if (running) return running;
    const lookup = this.keys.resolveAll(orgId, service).finally(() => this.inflight.delete(key));
    this.inflight.set(key, lookup);
    return lookup;
  }
}
