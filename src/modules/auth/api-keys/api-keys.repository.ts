import type { Page, PageRequest } from '../../../common/pagination';
import type { OrgScopedStore } from '../../../infra/document-store/org-record';
import type { ApiKey, ApiKeyFields } from './api-key.types';

/**
 * Port (and DI token) for gateway API keys; bound to the MongoDB or Postgres adapter by
 * `provideRepository`. Management methods are org-scoped like every store. `findByHash` is the
 * one lookup that cannot be: authentication is how we learn the org, and the hash of a
 * 238-bit secret identifies exactly one key.
 */
export abstract class ApiKeysRepository implements OrgScopedStore<ApiKey> {
  abstract create(orgId: string, fields: ApiKeyFields): Promise<ApiKey>;
  abstract get(orgId: string, id: string): Promise<ApiKey | undefined>;
  abstract getMany(orgId: string, ids: string[]): Promise<ApiKey[]>;
  abstract list(orgId: string, page: PageRequest): Promise<Page<ApiKey>>;
  abstract update(
    orgId: string,
    id: string,
    patch: Partial<ApiKeyFields>,
  ): Promise<ApiKey | undefined>;
  abstract delete(orgId: string, id: string): Promise<boolean>;
  /** The key whose secret hashes to `keyHash`, in any org. */
  abstract findByHash(keyHash: string): Promise<ApiKey | undefined>;
  /** Records use without touching `updated_at` (a bookkeeping write, not an edit). */
  abstract markUsed(orgId: string, id: string, at: Date): Promise<void>;
}

export const duplicateApiKeyMessage = (): string => 'An API key with this secret already exists';
