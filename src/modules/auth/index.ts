/** The auth module's public surface; other modules import from here only. */
export { AuthModule } from './auth.module';
export { AuthGuard } from './auth.guard';
export { JwtVerifier } from './jwt/jwt-verifier.service';
export { ApiKeysService, type CreatedApiKey } from './api-keys/api-keys.service';
export { ApiKeysRepository } from './api-keys/api-keys.repository';
export type { ApiKey, ApiKeyRateLimit } from './api-keys/api-key.types';
export { requestApiKey, type RequestApiKey } from './authenticated-request';
