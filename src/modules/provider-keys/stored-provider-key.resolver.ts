import { Injectable } from '@nestjs/common';
import { ProviderKeyResolver, type ResolvedProviderKey } from '../providers/provider-key.resolver';
import type { ServiceName } from '../providers/provider.types';
import { ProviderKeysService } from './provider-keys.service';

/**
 * The providers module's org-key source, backed by stored provider keys. Bind it in
 * ProvidersModule with `{ provide: ProviderKeyResolver, useExisting: StoredProviderKeyResolver }`
 * (importing ProviderKeysModule).
 */
@Injectable()
export class StoredProviderKeyResolver extends ProviderKeyResolver {
  constructor(private readonly keys: ProviderKeysService) {
    super();
  }

  resolve(orgId: string, service: ServiceName): Promise<ResolvedProviderKey | undefined> {
    return this.keys.resolve(orgId, service);
  }
}
