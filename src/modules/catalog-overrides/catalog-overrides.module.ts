import { Module } from '@nestjs/common';
import { provideRepository } from '../../infra/document-store/provide-repository';
import { CatalogOverridesController } from './catalog-overrides.controller';
import { CatalogOverridesRepository } from './catalog-overrides.repository';
import { CatalogOverridesService } from './catalog-overrides.service';
import { PostgresCatalogOverridesRepository } from './postgres/postgres-catalog-overrides.repository';

/**
 * The deployment's stored model-catalog overrides (`/api/v1/catalog-overrides`), applied to the
 * providers' `ModelCatalogService` at boot and again on each `catalog` event of config-watcher's
 * change bus (both global: the root imports `ProvidersModule.forRoot` and `ConfigWatcherModule`).
 */
@Module({
  controllers: [CatalogOverridesController],
  providers: [
    provideRepository(
      CatalogOverridesRepository,
      () =>
        import('./mongo/mongo-catalog-overrides.repository').then(
          (m) => m.MongoCatalogOverridesRepository,
        ),
      PostgresCatalogOverridesRepository,
    ),
    CatalogOverridesService,
  ],
})
export class CatalogOverridesModule {}
