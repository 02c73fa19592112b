import { Global, Module } from '@nestjs/common';
import { CryptoModule } from '../../common/crypto';
import { provideRepository } from '../../infra/document-store/provide-repository';
import { CatalogOverridesController } from './catalog/catalog-overrides.controller';
import { CatalogOverridesRepository } from './catalog/catalog-overrides.repository';
import { CatalogOverridesService } from './catalog/catalog-overrides.service';
import { PostgresCatalogOverridesRepository } from './catalog/postgres/postgres-catalog-overrides.repository';
import { ConfigChangeBus } from './events/config-change.bus';
import { ConfigLoader } from './loader/config-loader';
import { OrgSettingsRepository } from './settings/org-settings.repository';
import { OrgSettingsService } from './settings/org-settings.service';
import { PostgresOrgSettingsRepository } from './settings/postgres/postgres-org-settings.repository';
import { SettingsController } from './settings/settings.controller';
import { ConfigWatcher } from './watcher/config-watcher.service';
import { ConfigRelayHolder } from './watcher/relay.holder';

/**
 * Live configuration (DESIGN flow 4): the change bus every cache subscribes to, the watcher that
 * feeds it from the store, stored org settings and catalog overrides, and the loader that
 * merges them with the environment. Global, because the owners of cached records (agents,
 * tools, provider keys, API keys) announce their writes on the bus.
 */
@Global()
@Module({
  imports: [CryptoModule],
  controllers: [SettingsController, CatalogOverridesController],
  providers: [
    ConfigChangeBus,
    ConfigRelayHolder,
    ConfigWatcher,
    provideRepository(
      OrgSettingsRepository,
      () =>
        import('./settings/mongo/mongo-org-settings.repository').then(
          (m) => m.MongoOrgSettingsRepository,
        ),
      PostgresOrgSettingsRepository,
    ),
    provideRepository(
      CatalogOverridesRepository,
      () =>
        import('./catalog/mongo/mongo-catalog-overrides.repository').then(
          (m) => m.MongoCatalogOverridesRepository,
        ),
      PostgresCatalogOverridesRepository,
    ),
    OrgSettingsService,
    CatalogOverridesService,
    ConfigLoader,
  ],
  exports: [ConfigChangeBus, ConfigWatcher, OrgSettingsService, ConfigLoader],
})
export class ConfigWatcherModule {}
