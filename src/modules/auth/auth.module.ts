import { Module } from '@nestjs/common';
import { provideRepository } from '../../infra/document-store/provide-repository';
import { ApiKeyAuthenticator } from './api-keys/api-key-authenticator.service';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { ApiKeysRepository } from './api-keys/api-keys.repository';
import { ApiKeysService } from './api-keys/api-keys.service';
import { invalidationBusProvider } from './api-keys/invalidation/invalidation-bus.provider';
import { PostgresApiKeysRepository } from './api-keys/postgres/postgres-api-keys.repository';
import { AuthGuard } from './auth.guard';
import { JwtVerifier } from './jwt/jwt-verifier.service';

/**
 * Authentication (JWT and gateway API keys) and the API-key management routes. The guard is
 * registered app-wide by the composition root as `APP_GUARD` (useExisting), so tests can
 * override it.
 */
@Module({
  controllers: [ApiKeysController],
  providers: [
    JwtVerifier,
    provideRepository(
      ApiKeysRepository,
      () =>
        import('./api-keys/mongo/mongo-api-keys.repository').then((m) => m.MongoApiKeysRepository),
      PostgresApiKeysRepository,
    ),
    invalidationBusProvider,
    ApiKeyAuthenticator,
    ApiKeysService,
    AuthGuard,
  ],
  exports: [AuthGuard, JwtVerifier, ApiKeysService, ApiKeysRepository],
})
export class AuthModule {}
