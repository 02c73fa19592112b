import type { KeyObject } from 'node:crypto';
import type { Algorithm } from 'jsonwebtoken';

/**
 * A key that may verify a token, with the only algorithms it may verify. Pinning algorithms to
 * the key's type is what refuses `alg` confusion: a public key is never used as an HMAC secret
 * and a shared secret never verifies RS/ES signatures.
 */
export interface VerificationKey {
  key: KeyObject;
  algorithms: Algorithm[];
}

const RSA_ALGORITHMS: Algorithm[] = ['RS256', 'RS384', 'RS512'];
const EC_ALGORITHMS: Record<string, Algorithm> = {
  prime256v1: 'ES256',
  'P-256': 'ES256',
  secp384r1: 'ES384',
  'P-384': 'ES384',
  secp521r1: 'ES512',
  'P-521': 'ES512',
};

/** The signature algorithms a public key can verify; empty for key types we do not accept. */
export function algorithmsForPublicKey(key: KeyObject): Algorithm[] {
  if (key.type !== 'public') return [];
  if (key.asymmetricKeyType === 'rsa') return [...RSA_ALGORITHMS];
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    const alg = curve ? EC_ALGORITHMS[curve] : undefined;
    return alg ? [alg] : [];
  }
  return [];
}
