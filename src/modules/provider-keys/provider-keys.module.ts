import { Module } from '@nestjs/common';
import { CryptoModule } from '../../common/crypto';
import { provideRepository } from '../../infra/document-store/provide-repository';
import { PostgresProviderKeysRepository } from './postgres/postgres-provider-keys.repository';
import { ProviderKeysController } from './provider-keys.controller';
import { ProviderKeysRepository } from './provider-keys.repository';
import { ProviderKeysService } from './provider-keys.service';
import { StoredProviderKeyResolver } from './stored-provider-key.resolver';

/**
 * Org provider keys. Exports `ProviderKeysService` (`resolve(orgId, service)`) and
 * `StoredProviderKeyResolver`, the implementation of the providers module's ProviderKeyResolver.
 */
@Module({
  imports: [CryptoModule],
  controllers: [ProviderKeysController],
  providers: [
    provideRepository(
      ProviderKeysRepository,
      () =>
        import('./mongo/mongo-provider-keys.repository').then((m) => m.MongoProviderKeysRepository),
      PostgresProviderKeysRepository,
    ),
    ProviderKeysService,
    StoredProviderKeyResolver,
  ],
  exports: [ProviderKeysService, StoredProviderKeyResolver],
})
export class ProviderKeysModule {}
