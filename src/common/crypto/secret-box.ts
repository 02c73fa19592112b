import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Ciphertext format marker; bump it if the layout ever changes. */
const FORMAT = 'enc:v1';

/** Thrown when a ciphertext cannot be opened: unknown key id, tampering, wrong context. */
export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecryptionError';
  }
}

/** Thrown when asked to encrypt while no current key is configured. */
export class EncryptionUnavailableError extends Error {
  constructor() {
    super('No encryption key is configured (set ENCRYPTION_KEY)');
    this.name = 'EncryptionUnavailableError';
  }
}

/** A short, stable, non-secret id of a key, stored with every ciphertext it produced. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('aimw-key-id:').update(key).digest('hex').slice(0, 12);
}

/**
 * AES-256-GCM with a key ring: seals with the current key, opens with the current or any
 * previous key (found by the key id inside the ciphertext), so keys rotate without data loss.
 * The context (e.g. `provider-key:<org>:<service>`) is bound as additional authenticated data:
 * a ciphertext copied to another record or org does not open.
 *
 * Layout: `enc:v1:<key id>:<iv>:<tag>:<ciphertext>` (base64url parts).
 */
export class SecretBox {
  private readonly keys = new Map<string, Buffer>();
  readonly currentKeyId: string | undefined;

  constructor(current: Buffer | undefined, previous: Buffer[] = []) {
    for (const key of [current, ...previous]) {
      if (key === undefined) continue;
      if (key.length !== 32) throw new Error('encryption keys must be 32 bytes');
      const id = keyIdOf(key);
      if (!this.keys.has(id)) this.keys.set(id, key);
    }
    this.currentKeyId = current ? keyIdOf(current) : undefined;
  }

  get canEncrypt(): boolean {
    return this.currentKeyId !== undefined;
  }

  /** True when older keys are configured, i.e. stored values may need re-encryption. */
  get hasPreviousKeys(): boolean {
    return [...this.keys.keys()].some((id) => id !== this.currentKeyId);
  }

  encrypt(plaintext: string, context: string): string {
    const keyId = this.currentKeyId;
    if (keyId === undefined) throw new EncryptionUnavailableError();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.keys.get(keyId)!, iv, {
      authTagLength: TAG_BYTES,
    });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [FORMAT, keyId, b64(iv), b64(tag), b64(body)].join(':');
  }

  decrypt(sealed: string, context: string): string {
    const parts = sealed.split(':');
    if (parts.length !== 6 || `${parts[0]}:${parts[1]}` !== FORMAT) {
      throw new DecryptionError('not a sealed value');
    }
    const [, , keyId, iv, tag, body] = parts;
    const key = this.keys.get(keyId);
    if (!key) throw new DecryptionError(`no key with id ${keyId} is configured`);
    try {
      const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, 'base64url'), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(body, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      // Never echo crypto internals: the only useful fact is that it did not authenticate.
      throw new DecryptionError('ciphertext failed authentication');
    }
  }

  /** The key id a sealed value was made with (undefined if it is not one). */
  keyIdOf(sealed: string): string | undefined {
    const parts = sealed.split(':');
    return parts.length === 6 ? parts[2] : undefined;
  }

  /** True when the value was sealed with an older key and should be re-encrypted. */
  isStale(sealed: string): boolean {
    return this.keyIdOf(sealed) !== this.currentKeyId;
  }

  /** Opens with whichever key sealed it and seals again with the current key. */
  reseal(sealed: string, context: string): string {
    return this.encrypt(this.decrypt(sealed, context), context);
  }
}

const b64 = (b: Buffer) => b.toString('base64url');
