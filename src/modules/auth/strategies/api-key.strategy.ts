import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../../../common/auth/principal';
import { ApiKeyAuthenticator } from '../api-keys/api-key-authenticator.service';
import { looksLikeApiKey } from '../api-keys/api-key-secret';
import { grantedScopes } from '../api-keys/scope-grant';
import '../authenticated-request';
import { extractCredential } from '../credentials';
import { GatewayStrategy } from './gateway-strategy';
import { RequestStrategy } from './request-strategy';

/**
 * Gateway API keys (`gw_...`, as `Authorization: Bearer` or `x-api-key`). Anything else is not
 * ours and goes to the next strategy; a `gw_` credential that fails (unknown, revoked, expired,
 * store down) stops the chain with its own 401/503.
 */
@Injectable()
export class ApiKeyStrategy extends GatewayStrategy(RequestStrategy, 'api-key', 20) {
  constructor(private readonly keys: ApiKeyAuthenticator) {
    super();
  }

  /** Not a `gw_` credential: passed on at once, without the async validate() round. */
  override authenticate(req: unknown): void {
    const credential = extractCredential(req as FastifyRequest);
    if (!credential || !looksLikeApiKey(credential)) {
      this.fail(undefined, 401);
      return;
    }
    super.authenticate(req);
  }

  async validate(req: FastifyRequest): Promise<Principal | null> {
    const credential = extractCredential(req);
    if (!credential || !looksLikeApiKey(credential)) return null;
    const key = await this.keys.authenticate(credential);
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
