import { Injectable } from '@nestjs/common';
import type { ServiceName } from './provider.types';

export interface ResolvedProviderKey {
  apiKey: string;
  /** Optional per-org endpoint (a proxy, a regional host). */
  baseUrl?: string;
}

/**
 * Where an org's own provider keys come from. The injection token is this abstract class; the
 * storage module replaces the default (`{ provide: ProviderKeyResolver, useExisting: ... }`).
 * An org key, when present, wins over the deployment-wide `<SERVICE>_API_KEY`.
 */
export abstract class ProviderKeyResolver {
  abstract resolve(orgId: string, service: ServiceName): Promise<ResolvedProviderKey | undefined>;
}

/** No org keys: every call uses the deployment's keys. */
@Injectable()
export class NoOrgKeysResolver extends ProviderKeyResolver {
  async resolve(): Promise<ResolvedProviderKey | undefined> {
    return undefined;
  }
}
