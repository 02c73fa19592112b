import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import * as jwt from 'jsonwebtoken';
import { authConfig } from '../../../config';
import { unauthenticated } from '../errors';
import { JwksKeySource } from './jwks-key-source';
import { algorithmsForPublicKey, type VerificationKey } from './verification-key';

/** Clock skew tolerated on `exp`/`nbf`/`iat`, in seconds. */
export const CLOCK_TOLERANCE_S = 30;

export type JwtConfig = Pick<
  ConfigType<typeof authConfig>,
  'jwtSecret' | 'jwtPublicKey' | 'jwtJwksUri' | 'jwtIssuer' | 'jwtAudience'
>;

/**
 * The deployment's JWT verification keys: whichever of JWT_SECRET (HS256), JWT_PUBLIC_KEY (RSA
 * or EC, by key type) and JWT_JWKS_URI are configured, as KeyObjects (jsonwebtoken re-parses a
 * string key on every verification). A token's `alg` only selects among them, and each key
 * verifies only its own algorithms, so `none` and HS/RS confusion are refused.
 */
@Injectable()
export class JwtKeys implements OnModuleInit {
  private readonly logger = new Logger(JwtKeys.name);
  private readonly secret: VerificationKey | undefined;
  private readonly publicKey: VerificationKey | undefined;
  private readonly jwks: JwksKeySource | undefined;
  /** Every algorithm some configured key may verify (the allow-list handed to jsonwebtoken). */
  readonly algorithms: jwt.Algorithm[];

  constructor(@Inject(authConfig.KEY) readonly cfg: JwtConfig) {
    this.secret = cfg.jwtSecret
      ? { key: createSecretKey(Buffer.from(cfg.jwtSecret, 'utf8')), algorithms: ['HS256'] }
      : undefined;
    this.publicKey = cfg.jwtPublicKey ? staticPublicKey(cfg.jwtPublicKey) : undefined;
    this.jwks = cfg.jwtJwksUri ? new JwksKeySource(cfg.jwtJwksUri) : undefined;
    const all = new Set<jwt.Algorithm>([
      ...(this.secret?.algorithms ?? []),
      ...(this.publicKey?.algorithms ?? []),
      ...(this.jwks ? JWKS_ALGORITHMS : []),
    ]);
    this.algorithms = [...all];
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

  /**
   * The key that may verify this token, chosen by its header's `alg` and `kid`. Throws 401 for
   * a malformed token or one no configured key may verify, 503 when the JWKS cannot be fetched.
   */
  async keyFor(token: string): Promise<KeyObject> {
    if (!this.enabled) throw unauthenticated('JWT authentication is not configured');
    const header = decodeHeader(token);
    const alg = header.alg as jwt.Algorithm;
    if (this.secret?.algorithms.includes(alg)) return this.secret.key;
    // Prefer the JWKS when the token names its key; a static key serves tokens without a kid.
    if (this.jwks && (header.kid !== undefined || !this.publicKey?.algorithms.includes(alg))) {
      const key = await this.jwks.keyFor(header.kid, alg);
      if (key) return key.key;
      if (!this.publicKey?.algorithms.includes(alg)) {
        throw unauthenticated(
          header.kid === undefined
            ? 'Token has no "kid" and the key set has no single matching key'
            : `Token signing key "${header.kid}" is unknown`,
        );
      }
    }
    if (this.publicKey?.algorithms.includes(alg)) return this.publicKey.key;
    throw unauthenticated(`Token algorithm "${String(header.alg)}" is not accepted`);
  }
}

/** What a JWKS may hold: RSA and the EC curves we accept (each key is pinned further). */
const JWKS_ALGORITHMS: jwt.Algorithm[] = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'];

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
