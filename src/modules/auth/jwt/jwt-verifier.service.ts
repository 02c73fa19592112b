import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import * as jwt from 'jsonwebtoken';
import type { Principal } from '../../../common/auth/principal';
import { AppException } from '../../../common/errors';
import { authConfig } from '../../../config';
import { unauthenticated } from '../errors';
import { principalFromClaims } from './claims';
import { JwksKeySource } from './jwks-key-source';
import { VerifiedTokenCache } from './verified-token.cache';
import { algorithmsForPublicKey, type VerificationKey } from './verification-key';

/** Clock skew tolerated on `exp`/`nbf`, in seconds. */
export const CLOCK_TOLERANCE_S = 30;

export type JwtConfig = Pick<
  ConfigType<typeof authConfig>,
  'jwtSecret' | 'jwtPublicKey' | 'jwtJwksUri' | 'jwtIssuer' | 'jwtAudience'
>;

/**
 * Verifies bearer JWTs against whichever of JWT_SECRET (HS256), JWT_PUBLIC_KEY (RSA or EC, by
 * key type) and JWT_JWKS_URI are configured. The token's `alg` only selects among the
 * configured keys; each key verifies only its own algorithms, so `none` and HS/RS confusion are
 * refused. `exp` is required, `exp`/`nbf`/`iat` get a small skew (a token issued further in the
 * future is refused), `iss`/`aud` are checked when set.
 */
@Injectable()
export class JwtVerifier implements OnModuleInit {
  private readonly logger = new Logger(JwtVerifier.name);
  private readonly secret: VerificationKey | undefined;
  private readonly publicKey: VerificationKey | undefined;
  private readonly jwks: JwksKeySource | undefined;
  private readonly verified = new VerifiedTokenCache();

  constructor(@Inject(authConfig.KEY) private readonly cfg: JwtConfig) {
    this.secret = cfg.jwtSecret
      ? { key: createSecretKey(Buffer.from(cfg.jwtSecret, 'utf8')), algorithms: ['HS256'] }
      : undefined;
    this.publicKey = cfg.jwtPublicKey ? staticPublicKey(cfg.jwtPublicKey) : undefined;
    this.jwks = cfg.jwtJwksUri ? new JwksKeySource(cfg.jwtJwksUri) : undefined;
  }

  onModuleInit(): void {
    if (!this.enabled) {
      this.logger.warn(
        'No JWT_SECRET, JWT_PUBLIC_KEY or JWT_JWKS_URI configured: JWT bearer tokens are refused',
      );
    }
    this.jwks?.warmUp();
  }

  get enabled(): boolean {
    return this.secret !== undefined || this.publicKey !== undefined || this.jwks !== undefined;
  }

  async verify(token: string): Promise<Principal> {
    if (!this.enabled) throw unauthenticated('JWT authentication is not configured');
    const known = this.verified.get(token);
    if (known) return known;
    const header = decodeHeader(token);
    const key = await this.keyFor(header);
    let payload: string | jwt.JwtPayload;
    try {
      payload = jwt.verify(token, key.key, {
        algorithms: key.algorithms,
        clockTolerance: CLOCK_TOLERANCE_S,
        ...(this.cfg.jwtIssuer ? { issuer: this.cfg.jwtIssuer } : {}),
        ...(this.cfg.jwtAudience ? { audience: this.cfg.jwtAudience } : {}),
      });
    } catch (e) {
      throw verificationError(e);
    }
    if (typeof payload === 'string') throw unauthenticated('Token payload must be a JSON object');
    const principal = principalFromClaims(payload, CLOCK_TOLERANCE_S);
    // principalFromClaims refuses tokens without a numeric exp.
    this.verified.set(token, principal, (payload.exp ?? 0) + CLOCK_TOLERANCE_S);
    return principal;
  }

  private async keyFor(header: jwt.JwtHeader): Promise<VerificationKey> {
    const alg = header.alg as jwt.Algorithm;
    if (this.secret?.algorithms.includes(alg)) return this.secret;
    // Prefer the JWKS when the token names its key; a static key serves tokens without a kid.
    if (this.jwks && (header.kid !== undefined || !this.publicKey?.algorithms.includes(alg))) {
      const key = await this.jwks.keyFor(header.kid, alg);
      if (key) return key;
      if (!this.publicKey?.algorithms.includes(alg)) {
        throw unauthenticated(
          header.kid === undefined
            ? 'Token has no "kid" and the key set has no single matching key'
            : `Token signing key "${header.kid}" is unknown`,
        );
      }
    }
    if (this.publicKey?.algorithms.includes(alg)) return this.publicKey;
    throw unauthenticated(`Token algorithm "${String(header.alg)}" is not accepted`);
  }
}

function decodeHeader(token: string): jwt.JwtHeader {
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded?.header || typeof decoded.header.alg !== 'string') {
    throw unauthenticated('Malformed bearer token');
  }
  return decoded.header;
}

function staticPublicKey(pem: string): VerificationKey {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new Error('JWT_PUBLIC_KEY is not a valid PEM public key');
  }
  const algorithms = algorithmsForPublicKey(key);
  if (algorithms.length === 0) {
    throw new Error('JWT_PUBLIC_KEY must be an RSA or EC (P-256/384/521) public key');
  }
  return { key, algorithms };
}

function verificationError(e: unknown): AppException {
  if (e instanceof AppException) return e;
  if (e instanceof jwt.TokenExpiredError) return unauthenticated('Token has expired');
  if (e instanceof jwt.NotBeforeError) return unauthenticated('Token is not valid yet');
  if (e instanceof jwt.JsonWebTokenError) return unauthenticated(`Invalid token: ${e.message}`);
  return unauthenticated('Invalid token');
}
