import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../../common/auth/principal';
import { IS_PUBLIC_KEY, SCOPES_KEY } from '../../common/decorators';
import { AppException, ErrorCode } from '../../common/errors';
import { ApiKeyAuthenticator } from './api-keys/api-key-authenticator.service';
import { looksLikeApiKey } from './api-keys/api-key-secret';
import { grantedScopes } from './api-keys/scope-grant';
import './authenticated-request';
import { extractCredential } from './credentials';
import { unauthenticated } from './errors';
import { JwtVerifier } from './jwt/jwt-verifier.service';

/**
 * Deny by default: every route needs a verified principal unless marked `@Public()`; scopes
 * listed with `@Scopes()` are all required (403 when one is missing).
 *
 * Two strategies, picked by the credential's shape: `gw_...` is a gateway API key, anything
 * else a JWT. Both accepted as `Authorization: Bearer` or `x-api-key`.
 *
 * Why not @nestjs/passport: its `PassportStrategy` registers each strategy in passport's
 * process-wide singleton by name, and its `AuthGuard` authenticates through that singleton. Two
 * gateway apps in one process (the tests boot several, and the cross-instance tests two at
 * once) then silently share the strategies of whichever app was built last — an API-key
 * strategy bound to another app's (possibly closed) store and cache. Passing strategy instances
 * instead avoids the registry, but passport then assigns its per-request callbacks onto that
 * shared instance, a race for strategies that verify asynchronously (JWKS fetch, key lookup).
 * Sessions, redirects and passport's request decorations are unused here, so two small
 * strategies with typed results are simpler; JWTs are verified with `jsonwebtoken`, as
 * passport-jwt would.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtVerifier,
    private readonly apiKeys: ApiKeyAuthenticator,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;

    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    const credential = extractCredential(req);
    if (!credential) {
      throw unauthenticated(
        'Missing credentials: send Authorization: Bearer <token or gw_ API key>, or x-api-key',
      );
    }
    const principal = looksLikeApiKey(credential)
      ? await this.authenticateApiKey(req, credential)
      : await this.jwt.verify(credential);
    req.principal = principal;

    const required =
      this.reflector.getAllAndOverride<string[] | undefined>(SCOPES_KEY, targets) ?? [];
    const missing = required.filter((s) => !principal.scopes.includes(s));
    if (missing.length > 0) {
      throw new AppException(ErrorCode.FORBIDDEN, `Missing required scope: ${missing.join(', ')}`);
    }
    return true;
  }

  private async authenticateApiKey(req: FastifyRequest, secret: string): Promise<Principal> {
    const key = await this.apiKeys.authenticate(secret);
    req.apiKey = { id: key.id, perMinute: key.rate_limit?.per_minute };
    return {
      userId: key.user_id,
      orgId: key.org_id,
      // Never a deployment-wide scope, even if a stored row carries one.
      scopes: grantedScopes(key.scopes),
      via: 'api_key',
      apiKeyId: key.id,
    };
  }
}
