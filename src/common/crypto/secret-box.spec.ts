import { randomBytes } from 'node:crypto';
import { DecryptionError, EncryptionUnavailableError, keyIdOf, SecretBox } from './secret-box';

describe('SecretBox', () => {
  const a = randomBytes(32);
  const b = randomBytes(32);

  it('round-trips text and never keeps the plaintext in the sealed value', () => {
    const box = new SecretBox(a);
    const sealed = box.encrypt('sk-secret-ünïcode', 'ctx');
    expect(sealed).toMatch(new RegExp(`^enc:v1:${keyIdOf(a)}:`));
    expect(sealed).not.toContain('secret');
    expect(box.decrypt(sealed, 'ctx')).toBe('sk-secret-ünïcode');
  });

  it('uses a fresh IV each time', () => {
    const box = new SecretBox(a);
    expect(box.encrypt('same', 'ctx')).not.toBe(box.encrypt('same', 'ctx'));
  });

  it('refuses another context, a tampered value, an unknown key and garbage', () => {
    const box = new SecretBox(a);
    const sealed = box.encrypt('v', 'org-1');
    expect(() => box.decrypt(sealed, 'org-2')).toThrow(DecryptionError);
    const parts = sealed.split(':');
    parts[5] = Buffer.from('x').toString('base64url');
    expect(() => box.decrypt(parts.join(':'), 'org-1')).toThrow(DecryptionError);
    expect(() => new SecretBox(b).decrypt(sealed, 'org-1')).toThrow(/no key with id/);
    expect(() => box.decrypt('plain text', 'org-1')).toThrow(/not a sealed value/);
  });

  it('opens values of a previous key, reseals them with the current one, and knows which are stale', () => {
    const old = new SecretBox(a).encrypt('v', 'c');
    const ring = new SecretBox(b, [a]);
    expect(ring.hasPreviousKeys).toBe(true);
    expect(ring.isStale(old)).toBe(true);
    const fresh = ring.reseal(old, 'c');
    expect(ring.isStale(fresh)).toBe(false);
    expect(new SecretBox(b).decrypt(fresh, 'c')).toBe('v');
    expect(new SecretBox(b, [b]).hasPreviousKeys).toBe(false);
  });

  it('cannot encrypt without a current key but still decrypts with previous ones', () => {
    const old = new SecretBox(a).encrypt('v', 'c');
    const box = new SecretBox(undefined, [a]);
    expect(box.canEncrypt).toBe(false);
    expect(() => box.encrypt('v', 'c')).toThrow(EncryptionUnavailableError);
    expect(box.decrypt(old, 'c')).toBe('v');
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });
});
