/** The auth module's public surface; other modules import from here only. */
export { AuthModule } from './auth.module';
export { AuthGuard } from './auth.guard';
export { GatewayStrategy, type GatewayStrategyInfo } from './strategies/gateway-strategy';
export { RequestStrategy } from './strategies/request-strategy';
export { AppPassport } from './strategies/app-passport';
export { JwtKeys } from './jwt/jwt-keys';
export { ApiKeysService, type CreatedApiKey } from './api-keys/api-keys.service';
export { ApiKeysRepository } from './api-keys/api-keys.repository';
export type { ApiKey, ApiKeyRateLimit } from './api-keys/api-key.types';
export { requestApiKey, type RequestApiKey } from './authenticated-request';
export { extractCredential } from './credentials';
export { principalFromClaims } from './jwt/claims';
export { ApiKeyEntity } from './api-keys/postgres/api-key.entity';
