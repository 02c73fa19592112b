import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import * as jwt from 'jsonwebtoken';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createApp } from '../../src/bootstrap/create-app';
import { type AppEnv, parseAppEnv } from '../../src/app.env';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256!';

export interface TestApp {
  url: string;
  app: NestFastifyApplication;
  dataDir: string;
  close(opts?: { keepData?: boolean }): Promise<void>;
}

/**
 * Boots the real gateway on 127.0.0.1 with a clean, explicit environment (`prepareTestEnv`),
 * handed to the app; `process.env` is neither read nor changed.
 */
export async function startTestApp(env: Record<string, string | undefined> = {}): Promise<TestApp> {
  const { parsed, dataDir } = prepareTestEnv(env);
  // Boot logs are buffered into the (silent) pino logger instead of Nest's console logger.
  const app = await createApp(parsed, { bufferLogs: true });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    app,
    dataDir,
    close: async (opts = {}) => {
      await app.close();
      if (!opts.keepData && env.DATA_DIR === undefined)
        rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A clean, explicit environment for one test app, built apart from `process.env` (which stays
 * untouched, so several apps can boot at once): the embedded defaults apply unless `env` names
 * a service; a key given as undefined is left unset. Returns the validated config.
 */
export function prepareTestEnv(env: Record<string, string | undefined> = {}): {
  parsed: AppEnv;
  dataDir: string;
} {
  const dataDir = env.DATA_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'aimw-test-'));
  const raw: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
    ...env,
  };
  return { parsed: parseAppEnv(raw), dataDir };
}

export function signToken(
  claims: Record<string, unknown> = {},
  options: jwt.SignOptions = {},
  secret: string = TEST_JWT_SECRET,
): string {
  return jwt.sign({ sub: 'user-1', org_id: 'org-1', scopes: [], ...claims }, secret, {
    algorithm: 'HS256',
    expiresIn: '5m',
    ...options,
  });
}

export function authHeaders(token = signToken()): Record<string, string> {
  return { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
}
