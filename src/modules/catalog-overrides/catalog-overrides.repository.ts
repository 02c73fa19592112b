import type { CatalogOverrides } from '../providers';
import type { StoredCatalogOverrides } from './catalog-overrides.types';

/**
 * Port (and DI token) for the deployment-wide model-catalog overrides; bound to the MongoDB or
 * Postgres adapter by `provideRepository`. Deployment-wide by nature: the catalog is one for
 * every org, so this is the one store that is not org-scoped.
 */
export abstract class CatalogOverridesRepository {
  abstract get(): Promise<StoredCatalogOverrides | undefined>;
  abstract put(overrides: CatalogOverrides, updatedBy: string): Promise<StoredCatalogOverrides>;
}
