import { createHash } from 'node:crypto';
import {
  displayPrefix,
  generateApiKeySecret,
  hashApiKey,
  isWellFormedApiKey,
  looksLikeApiKey,
} from './api-key-secret';

describe('API key secrets', () => {
  it('are gw_ + 40 base62 characters, unique, with their SHA-256 and display prefix', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const { secret, hash, prefix } = generateApiKeySecret();
      expect(secret).toMatch(/^gw_[A-Za-z0-9]{40}$/);
      expect(isWellFormedApiKey(secret)).toBe(true);
      expect(hash).toBe(createHash('sha256').update(secret).digest('hex'));
      expect(prefix).toBe(secret.slice(0, 11));
      expect(secret.startsWith(prefix)).toBe(true);
      seen.add(secret);
    }
    expect(seen.size).toBe(200);
  });

  it('use every base62 character (no biased or missing alphabet)', () => {
    const chars = new Set<string>();
    for (let i = 0; i < 100; i++)
      for (const c of generateApiKeySecret().secret.slice(3)) chars.add(c);
    expect(chars.size).toBe(62);
  });

  it('tells key-shaped credentials from JWTs and malformed keys', () => {
    expect(looksLikeApiKey('gw_x')).toBe(true);
    expect(looksLikeApiKey('eyJhbGciOi')).toBe(false);
    expect(isWellFormedApiKey('gw_short')).toBe(false);
    expect(isWellFormedApiKey(`gw_${'a'.repeat(39)}!`)).toBe(false);
    expect(hashApiKey('a')).not.toBe(hashApiKey('b'));
    expect(displayPrefix('gw_ABCDEFGHIJKLMNOP')).toBe('gw_ABCDEFGH');
  });
});
