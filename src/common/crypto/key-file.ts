import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export const KEY_FILE_NAME = 'encryption.key';

/** Reads a 32-byte hex key file; undefined when it does not exist. Throws when it is corrupt. */
export function readKeyFile(dataDir: string): Buffer | undefined {
  const file = path.join(dataDir, KEY_FILE_NAME);
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  if (!/^[0-9a-f]{64}$/i.test(text)) {
    throw new Error(`${file} is not a 32-byte hex key; restore it or set ENCRYPTION_KEY`);
  }
  return Buffer.from(text, 'hex');
}

/**
 * Returns the key stored in DATA_DIR, creating it (mode 0600) on first use. `wx` makes the
 * creation exclusive, so two processes starting at once end up with the same key.
 */
export function readOrCreateKeyFile(dataDir: string): { key: Buffer; created: boolean } {
  const existing = readKeyFile(dataDir);
  if (existing) return { key: existing, created: false };
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  try {
    writeFileSync(path.join(dataDir, KEY_FILE_NAME), `${key.toString('hex')}\n`, {
      flag: 'wx',
      mode: 0o600,
    });
    return { key, created: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return { key: readKeyFile(dataDir)!, created: false };
  }
}
