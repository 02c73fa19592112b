import type { CatalogOverrides } from '../providers';

/** The one deployment-wide record of model-catalog overrides. */
export const CATALOG_OVERRIDES_ID = 'catalog';

export interface StoredCatalogOverrides {
  id: typeof CATALOG_OVERRIDES_ID;
  overrides: CatalogOverrides;
  /** Who wrote it last (the principal's user id), for the audit trail. */
  updated_by: string;
  created_at: Date;
  updated_at: Date;
}
