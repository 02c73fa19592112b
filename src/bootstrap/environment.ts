import * as path from 'node:path';
import { type AppEnv, parseAppEnv } from '../app.env';
import { loadEnvFile } from './env-file';
import { readOrCreateLocalJwtSecret } from './local-jwt-secret';

export interface PreparedEnvironment {
  env: AppEnv;
  /** The `.env` file applied, if any. */
  envFile?: string;
  /** True when this call generated DATA_DIR's local JWT secret. */
  createdJwtSecret: boolean;
}

/**
 * The one place the process environment is assembled, before anything reads it: `.env` (real
 * variables win), validation (throws ConfigValidationError, one line per problem), then the
 * embedded default's local JWT secret when no JWT key is configured. Shared by the gateway and
 * `npm run token`, so both see the same configuration and the same secret. The secret is in the
 * returned env only: the app is configured from that env, never from the process environment.
 */
export function prepareEnvironment(
  raw: NodeJS.ProcessEnv = process.env,
  dir: string = process.cwd(),
): PreparedEnvironment {
  const envFile = loadEnvFile(raw, dir);
  const env = parseAppEnv(raw);
  if (!usesLocalJwtSecret(env)) return { env, envFile, createdJwtSecret: false };
  const { secret, created } = readOrCreateLocalJwtSecret(path.resolve(env.DATA_DIR));
  return { env: { ...env, JWT_SECRET: secret }, envFile, createdJwtSecret: created };
}

/**
 * Embedded mode (no DATABASE_URL: PGlite in DATA_DIR, one instance per directory) with no JWT
 * key configured. With external stores several instances may run, and a secret of their own
 * each would make tokens work on some of them only, so none is generated there.
 */
export function usesLocalJwtSecret(env: AppEnv): boolean {
  return (
    env.DATABASE_URL === undefined &&
    env.JWT_SECRET === undefined &&
    env.JWT_PUBLIC_KEY === undefined &&
    env.JWT_JWKS_URI === undefined
  );
}

/** Whether this process owns DATA_DIR exclusively (embedded PGlite lives there). */
export function isEmbeddedDatabase(env: AppEnv): boolean {
  return env.DATABASE_URL === undefined;
}
