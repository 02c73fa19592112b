import { Global, Module } from '@nestjs/common';
import { CryptoModule } from '../../common/crypto';
import { provideRepository } from '../../infra/document-store/provide-repository';
import { CatalogOverridesController } from './catalog/catalog-overrides.controller';
import { CatalogOverridesRepository } from './catalog/catalog-overrides.repository';
import { CatalogOverridesService } from './catalog/catalog-overrides.service';
import { PostgresCatalogOverridesRepository } from './catalog/postgres/postgres-catalog-overrides.repository';
import { ConfigChangeBus } from './events/config-change.bus';
import { ConfigWatcher } from './watcher/config-watcher.service';
import { ConfigRelayHolder } from './watcher/relay.holder';

/**
 * Live configuration (DESIGN flow 4): the change bus every cache subscribes to, the watcher that
 * feeds it from the store, and the stored catalog overrides. Global, because the owners of cached records (agents,
 * tools, provider keys, API keys) announce their writes on the bus.
 */
@Global()
@Module({
  imports: [CryptoModule],
  controllers: [CatalogOverridesController],
  providers: [
    ConfigChangeBus,
    ConfigRelayHolder,
    ConfigWatcher,
    provideRepository(
      CatalogOverridesRepository,
      () =>
        import('./catalog/mongo/mongo-catalog-overrides.repository').then(
          (m) => m.MongoCatalogOverridesRepository,
        ),
      PostgresCatalogOverridesRepository,
    ),
    CatalogOverridesService,
  ],
  exports: [ConfigChangeBus, ConfigWatcher],
})
export class ConfigWatcherModule {}
