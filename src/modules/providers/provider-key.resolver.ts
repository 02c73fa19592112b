import { Injectable } from '@nestjs/common';
import type { ServiceName } from './provider.types';

export interface ResolvedProviderKey {
  apiKey: string;
  /** Optional per-org endpoint (a proxy, a regional host). */
  baseUrl?: string;
  /** Share of the org's traffic to the service among its keys (1-1000, default 1). */
  weight?: number;
}

/**
 * Where an org's own provider keys come from. The injection token is this abstract class; the
 * storage module replaces the default (`{ provide: ProviderKeyResolver, useExisting: ... }`).
 * An org key, when present, wins over the deployment-wide `<SERVICE>_API_KEY`.
 */
export abstract class ProviderKeyResolver {
  abstract resolve(orgId: string, service: ServiceName): Promise<ResolvedProviderKey | undefined>;

  /**
   * Every key the org holds for the service (balanced by weight); empty when it has none.
   * Resolvers that store several keys per service override this; the default is `resolve`'s one.
   */
  async resolveAll(orgId: string, service: ServiceName): Promise<ResolvedProviderKey[]> {
    const one = await this.resolve(orgId, service);
    return one ? [one] : [];
  }
}

/** No org keys: every call uses the deployment's keys. */
@Injectable()
export class NoOrgKeysResolver extends ProviderKeyResolver {
  async resolve(): Promise<ResolvedProviderKey | undefined> {
    return undefined;
  }
}
