import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_PREFIX = 'gw_';
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** 40 base62 characters: about 238 random bits. */
const SECRET_CHARS = 40;
/** Characters of the secret shown in lists (after `gw_`). */
const DISPLAY_CHARS = 8;
const SHAPE = new RegExp(`^${API_KEY_PREFIX}[A-Za-z0-9]{${SECRET_CHARS}}$`);

export interface NewApiKeySecret {
  /** The full key, shown to the client once and never stored. */
  secret: string;
  hash: string;
  prefix: string;
}

/** `gw_` + 40 uniformly random base62 characters (rejection sampling: no modulo bias). */
export function generateApiKeySecret(): NewApiKeySecret {
  let body = '';
  while (body.length < SECRET_CHARS) {
    for (const byte of randomBytes(64)) {
      // 248 = 4 * 62: bytes above it would favour the first characters of the alphabet.
      if (byte < 248 && body.length < SECRET_CHARS) body += ALPHABET[byte % 62];
    }
  }
  const secret = API_KEY_PREFIX + body;
  return { secret, hash: hashApiKey(secret), prefix: displayPrefix(secret) };
}

/**
 * SHA-256 of the key. A fast hash is enough here, unlike for passwords: the secret has ~238
 * bits of entropy, so a leaked hash cannot be brute-forced, and a slow KDF would cost CPU on
 * every request. It also makes the key directly indexable for the lookup.
 */
export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function displayPrefix(secret: string): string {
  return secret.slice(0, API_KEY_PREFIX.length + DISPLAY_CHARS);
}

/** Whether a credential is meant as a gateway API key (as opposed to a JWT). */
export function looksLikeApiKey(credential: string): boolean {
  return credential.startsWith(API_KEY_PREFIX);
}

/** Whether it has the exact shape we issue; anything else is refused without a lookup. */
export function isWellFormedApiKey(credential: string): boolean {
  return SHAPE.test(credential);
}
