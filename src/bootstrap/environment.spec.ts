import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as jwt from 'jsonwebtoken';
import { ConfigValidationError } from '../config';
import { principalFromClaims } from '../modules/auth';
import { ADMIN_TOKEN_DEFAULTS, mintAdminToken } from './admin-token';
import { loadEnvFile } from './env-file';
import { prepareEnvironment } from './environment';
import { JWT_SECRET_FILE_NAME } from './local-jwt-secret';

describe('the environment the gateway and `npm run token` start from', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'aimw-env-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const writeEnvFile = (text: string) => writeFileSync(path.join(dir, '.env'), text);

  it('applies every .env key, PORT and HOST included; a real variable wins', () => {
    writeEnvFile(
      'PORT=4321\nHOST=127.0.0.1\nLOG_LEVEL=warn\n# a comment\nCORS_ORIGINS="a.example"\n',
    );
    const raw: NodeJS.ProcessEnv = { LOG_LEVEL: 'error', DATABASE_URL: 'postgres://x@h/db' };
    const { env, envFile } = prepareEnvironment(raw, dir);
    expect(envFile).toBe(path.join(dir, '.env'));
    expect(env.PORT).toBe(4321);
    expect(env.HOST).toBe('127.0.0.1');
    expect(env.LOG_LEVEL).toBe('error');
    expect(env.CORS_ORIGINS).toEqual(['a.example']);
    expect(raw.PORT).toBe('4321');
  });

  it('works without a .env file', () => {
    expect(loadEnvFile({}, dir)).toBeUndefined();
  });

  it('reports a bad .env value as a configuration problem naming the key', () => {
    writeEnvFile('PORT=not-a-port\n');
    let problems: string[] = [];
    try {
      prepareEnvironment({ DATABASE_URL: 'postgres://x@h/db' }, dir);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigValidationError);
      problems = (e as ConfigValidationError).problems;
    }
    expect(problems).toEqual([expect.stringMatching(/^PORT: .*not-a-port/)]);
  });

  it('generates one local JWT secret in DATA_DIR in embedded mode and reuses it', () => {
    const dataDir = path.join(dir, 'data');
    const raw: NodeJS.ProcessEnv = { DATA_DIR: dataDir };
    const first = prepareEnvironment(raw, dir);
    expect(first.createdJwtSecret).toBe(true);
    const file = path.join(dataDir, JWT_SECRET_FILE_NAME);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.env.JWT_SECRET);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // The app is configured from the returned env only: the caller's environment stays as given.
    expect(raw.JWT_SECRET).toBeUndefined();

    const second = prepareEnvironment({ DATA_DIR: dataDir }, dir);
    expect(second.createdJwtSecret).toBe(false);
    expect(second.env.JWT_SECRET).toBe(first.env.JWT_SECRET);
  });

  it('generates no secret when a JWT key is configured or the stores are external', () => {
    const dataDir = path.join(dir, 'data');
    const configured = prepareEnvironment({ DATA_DIR: dataDir, JWT_SECRET: 'x'.repeat(32) }, dir);
    expect(configured.env.JWT_SECRET).toBe('x'.repeat(32));
    const external = prepareEnvironment(
      { DATA_DIR: dataDir, DATABASE_URL: 'postgres://x@h/db' },
      dir,
    );
    expect(external.env.JWT_SECRET).toBeUndefined();
    expect(() => statSync(path.join(dataDir, JWT_SECRET_FILE_NAME))).toThrow();
  });

  it('mints an admin token the gateway accepts, with the configured issuer and audience', () => {
    const { env } = prepareEnvironment(
      { DATA_DIR: path.join(dir, 'data'), JWT_ISSUER: 'iss-1', JWT_AUDIENCE: 'aud-1' },
      dir,
    );
    const token = mintAdminToken(env, ADMIN_TOKEN_DEFAULTS);
    const claims = jwt.verify(token, env.JWT_SECRET!, {
      algorithms: ['HS256'],
      issuer: 'iss-1',
      audience: 'aud-1',
    }) as jwt.JwtPayload;
    expect(principalFromClaims(claims, 30)).toEqual({
      userId: 'admin',
      orgId: 'default',
      scopes: ['admin'],
      via: 'jwt',
    });
    expect(claims.exp! - claims.iat!).toBe(12 * 3600);
  });

  it('refuses to mint when only a public key or a JWKS verifies tokens', () => {
    const { env } = prepareEnvironment(
      { DATA_DIR: path.join(dir, 'data'), JWT_JWKS_URI: 'https://idp.example/jwks' },
      dir,
    );
    expect(() => mintAdminToken(env, ADMIN_TOKEN_DEFAULTS)).toThrow(/identity provider/);
  });
});
