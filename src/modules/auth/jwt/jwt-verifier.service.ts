import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import * as jwt from 'jsonwebtoken';
import { authConfig } from '../../config';
import { AppException, ErrorCode } from '../../common/errors';
import type { Principal } from '../../common/auth/principal';

/** Clock skew tolerated on `exp`/`nbf`, in seconds. */
const CLOCK_TOLERANCE_S = 30;

interface GatewayClaims extends jwt.JwtPayload {
  org_id?: unknown;
  scopes?: unknown;
  scope?: unknown;
}

/**
 * Verifies bearer JWTs. Algorithms are pinned per key type so `none` and HS/RS confusion are
 * refused: a shared secret only ever verifies HS256, a public key only RS256/ES256.
 */
@Injectable()
export class JwtVerifier implements OnModuleInit {
  private readonly logger = new Logger(JwtVerifier.name);

  constructor(@Inject(authConfig.KEY) private readonly cfg: ConfigType<typeof authConfig>) {}

  onModuleInit(): void {
    if (!this.enabled) {
      this.logger.warn('No JWT_SECRET or JWT_PUBLIC_KEY configured: JWT bearer tokens are refused');
    }
  }

  get enabled(): boolean {
    return this.cfg.jwtSecret !== undefined || this.cfg.jwtPublicKey !== undefined;
  }

  verify(token: string): Principal {
    const options: jwt.VerifyOptions = {
      clockTolerance: CLOCK_TOLERANCE_S,
      ...(this.cfg.jwtIssuer ? { issuer: this.cfg.jwtIssuer } : {}),
      ...(this.cfg.jwtAudience ? { audience: this.cfg.jwtAudience } : {}),
    };
    const claims = this.verifyWithAnyKey(token, options);
    return this.toPrincipal(claims);
  }

  private verifyWithAnyKey(token: string, options: jwt.VerifyOptions): GatewayClaims {
    const attempts: Array<[jwt.Secret, jwt.Algorithm[]]> = [];
    if (this.cfg.jwtSecret) attempts.push([this.cfg.jwtSecret, ['HS256']]);
    if (this.cfg.jwtPublicKey) attempts.push([this.cfg.jwtPublicKey, ['RS256', 'ES256']]);
    if (attempts.length === 0) throw unauthenticated('JWT authentication is not configured');

    const header = jwt.decode(token, { complete: true })?.header;
    if (!header) throw unauthenticated('Malformed bearer token');
    const match = attempts.find(([, algs]) => algs.includes(header.alg as jwt.Algorithm));
    if (!match) throw unauthenticated(`Token algorithm "${header.alg}" is not accepted`);

    try {
      const payload = jwt.verify(token, match[0], { ...options, algorithms: match[1] });
      if (typeof payload === 'string') throw unauthenticated('Token payload must be a JSON object');
      return payload;
    } catch (e) {
      if (e instanceof AppException) throw e;
      if (e instanceof jwt.TokenExpiredError) throw unauthenticated('Token has expired');
      if (e instanceof jwt.NotBeforeError) throw unauthenticated('Token is not valid yet');
      if (e instanceof jwt.JsonWebTokenError) throw unauthenticated(`Invalid token: ${e.message}`);
      throw unauthenticated('Invalid token');
    }
  }

  private toPrincipal(claims: GatewayClaims): Principal {
    if (typeof claims.sub !== 'string' || claims.sub === '') {
      throw unauthenticated('Token has no "sub" claim');
    }
    if (typeof claims.org_id !== 'string' || claims.org_id === '') {
      throw unauthenticated('Token has no "org_id" claim');
    }
    return { userId: claims.sub, orgId: claims.org_id, scopes: readScopes(claims), via: 'jwt' };
  }
}

function readScopes(claims: GatewayClaims): string[] {
  if (Array.isArray(claims.scopes))
    return claims.scopes.filter((s): s is string => typeof s === 'string');
  if (typeof claims.scopes === 'string') return claims.scopes.split(/[\s,]+/).filter(Boolean);
  if (typeof claims.scope === 'string') return claims.scope.split(/\s+/).filter(Boolean);
  return [];
}

function unauthenticated(message: string): AppException {
  return new AppException(ErrorCode.UNAUTHENTICATED, message);
}
