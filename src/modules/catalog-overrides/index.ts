/** The catalog-overrides module's public surface; other modules import from here only. */
export { CatalogOverridesModule } from './catalog-overrides.module';
export { DEPLOYMENT_ADMIN_SCOPE } from './catalog-overrides.controller';
export { CatalogOverridesEntity } from './postgres/catalog-overrides.entity';
