import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { provideRepository } from '../../infra/document-store/provide-repository';
import { ApiKeyAuthenticator } from './api-keys/api-key-authenticator.service';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { ApiKeysRepository } from './api-keys/api-keys.repository';
import { ApiKeysService } from './api-keys/api-keys.service';
import { invalidationBusProvider } from './api-keys/invalidation/invalidation-bus.provider';
import { PostgresApiKeysRepository } from './api-keys/postgres/postgres-api-keys.repository';
import { AuthGuard } from './auth.guard';
import { JwtKeys } from './jwt/jwt-keys';
import { ApiKeyStrategy } from './strategies/api-key.strategy';
import { AppPassport } from './strategies/app-passport';
import { JwtStrategy } from './strategies/jwt.strategy';

/**
 * Authentication as passport strategies (gateway API keys, JWTs) on the app's own passport
 * instance, the global guard, and the API-key management routes. The guard is registered
 * app-wide by the composition root as `APP_GUARD` (useExisting), so tests can override it.
 * Another module adds a strategy by providing a class made with `GatewayStrategy`.
 */
@Module({
  imports: [DiscoveryModule],
  controllers: [ApiKeysController],
  providers: [
    JwtKeys,
    provideRepository(
      ApiKeysRepository,
      () =>
        import('./api-keys/mongo/mongo-api-keys.repository').then((m) => m.MongoApiKeysRepository),
      PostgresApiKeysRepository,
    ),
    invalidationBusProvider,
    ApiKeyAuthenticator,
    ApiKeysService,
    AppPassport,
    ApiKeyStrategy,
    JwtStrategy,
    AuthGuard,
  ],
  exports: [AuthGuard, AppPassport, JwtKeys, ApiKeysService, ApiKeysRepository],
})
export class AuthModule {}
