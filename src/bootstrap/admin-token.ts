import * as jwt from 'jsonwebtoken';
import type { AppEnv } from '../app.env';

export interface AdminTokenOptions {
  org: string;
  sub: string;
  scopes: string[];
  /** A jsonwebtoken duration: seconds, or "12h", "7d"... */
  expiresIn: string;
}

export const ADMIN_TOKEN_DEFAULTS: AdminTokenOptions = {
  org: 'default',
  sub: 'admin',
  scopes: ['admin'],
  expiresIn: '12h',
};

/**
 * An HS256 JWT the gateway accepts, signed with the deployment's JWT_SECRET (the local one in
 * DATA_DIR for the embedded default, see prepareEnvironment), carrying the contract's claims
 * (`sub`, `org_id`, `scopes`, `exp`) and the configured issuer and audience. Throws when the
 * deployment verifies tokens only with keys this process cannot sign with.
 */
export function mintAdminToken(env: AppEnv, opts: AdminTokenOptions): string {
  if (!env.JWT_SECRET) {
    throw new Error(
      'JWT_SECRET is not set and tokens are verified by JWT_PUBLIC_KEY or JWT_JWKS_URI: ' +
        'mint tokens with your identity provider (or set JWT_SECRET)',
    );
  }
  return jwt.sign({ org_id: opts.org, scopes: opts.scopes }, env.JWT_SECRET, {
    algorithm: 'HS256',
    subject: opts.sub,
    expiresIn: opts.expiresIn as jwt.SignOptions['expiresIn'],
    ...(env.JWT_ISSUER ? { issuer: env.JWT_ISSUER } : {}),
    ...(env.JWT_AUDIENCE ? { audience: env.JWT_AUDIENCE } : {}),
  });
}
