import { Module } from '@nestjs/common';
import { CryptoModule } from '../../common/crypto';
import { provideRepository } from '../../infra/document-store/provide-repository';
import { ConfigLoader } from './config-loader';
import { OrgSettingsRepository } from './org-settings.repository';
import { OrgSettingsService } from './org-settings.service';
import { PostgresOrgSettingsRepository } from './postgres/postgres-org-settings.repository';
import { SettingsController } from './settings.controller';

/**
 * Per-org stored settings (`/api/v1/settings`: the error webhook) and `ConfigLoader`, which
 * merges them with the environment. Its cache listens to config-watcher's change bus (global);
 * monitoring imports this module for the org webhook receivers.
 */
@Module({
  imports: [CryptoModule],
  controllers: [SettingsController],
  providers: [
    provideRepository(
      OrgSettingsRepository,
      () =>
        import('./mongo/mongo-org-settings.repository').then((m) => m.MongoOrgSettingsRepository),
      PostgresOrgSettingsRepository,
    ),
    OrgSettingsService,
    ConfigLoader,
  ],
  exports: [OrgSettingsService, ConfigLoader],
})
export class SettingsModule {}
