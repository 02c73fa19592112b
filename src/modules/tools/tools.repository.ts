import type { Page, PageRequest } from '../../common/pagination';
import type {
  OrgScopedStore,
  SealedColumnMaintenance,
  SealedValue,
} from '../../infra/document-store/org-record';
import type { StoredTool, StoredToolFields } from './tool.types';

/**
 * Port (and DI token) for stored tools; bound to the MongoDB or Postgres adapter by
 * `provideRepository`. Org-scoped: another org's tool is `undefined`. A duplicate name in the
 * org rejects with 409 CONFLICT. `scanSealed`/`swapSealed` serve key rotation only.
 */
export abstract class ToolsRepository
  implements OrgScopedStore<StoredTool>, SealedColumnMaintenance
{
  abstract create(orgId: string, fields: StoredToolFields, id?: string): Promise<StoredTool>;
  abstract get(orgId: string, id: string): Promise<StoredTool | undefined>;
  abstract getMany(orgId: string, ids: string[]): Promise<StoredTool[]>;
  abstract list(orgId: string, page: PageRequest): Promise<Page<StoredTool>>;
  abstract update(
    orgId: string,
    id: string,
    patch: Partial<StoredToolFields>,
  ): Promise<StoredTool | undefined>;
  abstract delete(orgId: string, id: string): Promise<boolean>;
  abstract scanSealed(afterId: string | undefined, limit: number): Promise<SealedValue[]>;
  abstract swapSealed(orgId: string, id: string, expected: string, next: string): Promise<boolean>;
}
