import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export const JWT_SECRET_FILE_NAME = 'jwt.secret';

/**
 * The embedded default's HS256 secret: with no JWT key configured, one is generated once into
 * DATA_DIR (mode 0600), so a fresh `npm start` accepts the tokens `npm run token` mints with the
 * same file. `wx` makes creation exclusive: two processes starting at once share one secret.
 */
export function readOrCreateLocalJwtSecret(dataDir: string): { secret: string; created: boolean } {
  const file = path.join(dataDir, JWT_SECRET_FILE_NAME);
  const existing = readSecret(file);
  if (existing) return { secret: existing, created: false };
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  try {
    writeFileSync(file, `${secret}\n`, { flag: 'wx', mode: 0o600 });
    return { secret, created: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return { secret: readSecret(file)!, created: false };
  }
}

function readSecret(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  if (!/^[0-9a-f]{64}$/i.test(text)) {
    throw new Error(`${file} is not a 64-character hex secret; delete it or set JWT_SECRET`);
  }
  return text;
}
