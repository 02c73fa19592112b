import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { JwtPayload } from 'jsonwebtoken';
import { Strategy } from 'passport-jwt';
import type { Principal } from '../../../common/auth/principal';
import { unauthenticated } from '../errors';
import { principalFromClaims } from '../jwt/claims';
import { CLOCK_TOLERANCE_S, JwtKeys } from '../jwt/jwt-keys';
import { VerifiedTokenCache } from '../jwt/verified-token.cache';
import { bearerJwt } from '../credentials';
import { GatewayStrategy } from './gateway-strategy';

/**
 * Bearer JWTs through passport-jwt: the key comes from JwtKeys (chosen by the token's `alg` and
 * `kid`, each key pinned to its own algorithms, JWKS with refetch on unknown kids), `iss`/`aud`
 * are checked when configured, `exp` and `nbf` get the clock tolerance; `validate` then requires
 * `exp`, `sub` and `org_id` and refuses an `iat` in the future.
 *
 * A token verified once is remembered (VerifiedTokenCache: until it expires, at most a minute),
 * so a client reusing its token — every SDK does — skips the signature check: `authenticate`
 * answers from the cache before passport-jwt runs. It runs on passport's per-request copy of the
 * strategy, so concurrent requests never share a callback.
 */
@Injectable()
export class JwtStrategy extends GatewayStrategy(Strategy, 'jwt', 10) {
  private readonly verified = new VerifiedTokenCache();

  constructor(keys: JwtKeys) {
    super({
      jwtFromRequest: bearerJwt,
      secretOrKeyProvider: (
        _req: unknown,
        token: string,
        done: (e: unknown, k?: unknown) => void,
      ) => {
        keys.keyFor(token).then(
          (key) => done(null, key),
          (e: unknown) => done(e),
        );
      },
      // Top level, not in jsonWebTokenOptions: passport-jwt overwrites those four there.
      algorithms: keys.algorithms,
      issuer: keys.cfg.jwtIssuer,
      audience: keys.cfg.jwtAudience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: CLOCK_TOLERANCE_S },
      passReqToCallback: true,
    } as ConstructorParameters<typeof Strategy>[0]);
  }

  /** The principal of a token verified a moment ago, without running the strategy. */
  recognise(req: FastifyRequest): Principal | undefined {
    const token = bearerJwt(req);
    return token ? this.verified.get(token) : undefined;
  }

  override authenticate(req: unknown, options?: unknown): void {
    const known = this.recognise(req as FastifyRequest);
    if (known) {
      this.success(known);
      return;
    }
    super.authenticate(req as Parameters<Strategy['authenticate']>[0], options);
  }

  validate(req: FastifyRequest, payload: JwtPayload | string): Principal {
    if (typeof payload === 'string') throw unauthenticated('Token payload must be a JSON object');
    const principal = principalFromClaims(payload, CLOCK_TOLERANCE_S);
    const token = bearerJwt(req);
    // principalFromClaims refuses tokens without a numeric exp.
    if (token) this.verified.set(token, principal, (payload.exp ?? 0) + CLOCK_TOLERANCE_S);
    return principal;
  }
}
