import { Injectable } from '@nestjs/common';
import { ClientPool } from '../client-pool';
import type { ServiceName } from '../provider.types';
import { SERVICE_ADAPTERS } from '../service-list';
import type { AdapterClass, ProviderAdapter } from './provider-adapter';

/** Each service's adapter class, from the service list. */
export const ADAPTERS = Object.fromEntries(
  SERVICE_ADAPTERS.map((a: AdapterClass) => [a.info.name, a]),
) as Record<ServiceName, AdapterClass>;

/** The adapters, instantiated once and shared (they hold no per-request state). */
@Injectable()
export class AdapterRegistry {
  private readonly adapters: ReadonlyMap<ServiceName, ProviderAdapter>;

  constructor(pool: ClientPool) {
    this.adapters = new Map(
      SERVICE_ADAPTERS.map((A: AdapterClass) => {
        const adapter = new A(pool);
        return [adapter.service, adapter];
      }),
    );
  }

  get(service: ServiceName): ProviderAdapter {
    const adapter = this.adapters.get(service);
    if (!adapter) throw new Error(`no adapter registered for ${service}`);
    return adapter;
  }
}
