import type { Page, PageRequest } from '../../common/pagination';
import type {
  OrgScopedStore,
  SealedColumnMaintenance,
  SealedValue,
} from '../../infra/document-store/org-record';
import type { ServiceName } from '../providers';
import type { StoredProviderKey, StoredProviderKeyFields } from './provider-key.types';

/**
 * Port (and DI token) for org provider keys; bound to the MongoDB or Postgres adapter by
 * `provideRepository`. Several keys per org and service, each with a weight. Org-scoped:
 * another org's key is `undefined`. `scanSealed`/`swapSealed` serve key rotation only.
 */
export abstract class ProviderKeysRepository
  implements OrgScopedStore<StoredProviderKey>, SealedColumnMaintenance
{
  abstract create(
    orgId: string,
    fields: StoredProviderKeyFields,
    id?: string,
  ): Promise<StoredProviderKey>;
  abstract get(orgId: string, id: string): Promise<StoredProviderKey | undefined>;
  abstract getMany(orgId: string, ids: string[]): Promise<StoredProviderKey[]>;
  /** The org's keys for a service, oldest first (its weighted pool); empty when it has none. */
  abstract listByService(orgId: string, service: ServiceName): Promise<StoredProviderKey[]>;
  abstract list(orgId: string, page: PageRequest): Promise<Page<StoredProviderKey>>;
  abstract update(
    orgId: string,
    id: string,
    patch: Partial<StoredProviderKeyFields>,
  ): Promise<StoredProviderKey | undefined>;
  abstract delete(orgId: string, id: string): Promise<boolean>;
  abstract scanSealed(afterId: string | undefined, limit: number): Promise<SealedValue[]>;
  abstract swapSealed(orgId: string, id: string, expected: string, next: string): Promise<boolean>;
}
