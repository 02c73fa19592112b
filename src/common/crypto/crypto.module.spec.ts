import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createSecretBox } from './crypto.module';
import { KEY_FILE_NAME } from './key-file';
import { SecretBox } from './secret-box';

describe('createSecretBox', () => {
  let dataDir: string;
  const warnings: string[] = [];
  const logger = { warn: (m: string) => void warnings.push(m) };
  const embedded = { documentStore: 'postgres' as const, embeddedPostgres: true };
  const external = { documentStore: 'mongo' as const, embeddedPostgres: false };
  const auth = (encryptionKey?: Buffer, previous: Buffer[] = []) => ({
    encryptionKey,
    encryptionKeyPrevious: previous,
  });

  beforeEach(() => {
    dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'aimw-crypto-')), 'data');
    warnings.length = 0;
  });
  afterEach(() => rmSync(path.dirname(dataDir), { recursive: true, force: true }));

  const make = (a: ReturnType<typeof auth>, stores: typeof embedded | typeof external) =>
    createSecretBox(a, stores, { dataDir }, logger);

  it('in embedded mode without a key, generates one once into DATA_DIR (0600) and warns', () => {
    const first = make(auth(), embedded);
    const file = path.join(dataDir, KEY_FILE_NAME);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('ENCRYPTION_KEY is not set');
    const sealed = first.encrypt('v', 'c');
    const second = make(auth(), embedded);
    expect(second.decrypt(sealed, 'c')).toBe('v');
    expect(warnings).toHaveLength(1);
  });

  it('uses ENCRYPTION_KEY, and keeps a key file from embedded days readable', () => {
    const fromFile = make(auth(), embedded).encrypt('old', 'c');
    const key = randomBytes(32);
    const box = make(auth(key), embedded);
    expect(box.currentKeyId).toBe(new SecretBox(key).currentKeyId);
    expect(box.decrypt(fromFile, 'c')).toBe('old');
    expect(box.hasPreviousKeys).toBe(true);
  });

  it('with external stores and no key, cannot encrypt (and writes no key file)', () => {
    const box = make(auth(), external);
    expect(box.canEncrypt).toBe(false);
    expect(warnings[0]).toContain('cannot be stored');
    expect(() => statSync(path.join(dataDir, KEY_FILE_NAME))).toThrow();
  });

  it('accepts previous keys for decryption', () => {
    const old = randomBytes(32);
    const sealed = new SecretBox(old).encrypt('v', 'c');
    expect(make(auth(randomBytes(32), [old]), external).decrypt(sealed, 'c')).toBe('v');
  });
});
