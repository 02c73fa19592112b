import type { JwtPayload } from 'jsonwebtoken';
import type { Principal } from '../../../common/auth/principal';
import { unauthenticated } from '../errors';

interface GatewayClaims extends JwtPayload {
  org_id?: unknown;
  scopes?: unknown;
  scope?: unknown;
}

/**
 * Verified claims -> the request principal: `sub`, `org_id` and `scopes` are the contract.
 * `toleranceS` is the clock skew allowed between the issuer and us.
 */
export function principalFromClaims(
  claims: GatewayClaims,
  toleranceS: number,
  nowS = Date.now() / 1000,
): Principal {
  if (typeof claims.exp !== 'number') {
    // A bearer token that never expires cannot be withdrawn: refuse it.
    throw unauthenticated('Token has no "exp" claim');
  }
  if (
    claims.iat !== undefined &&
    (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat))
  ) {
    throw unauthenticated('Token "iat" claim must be a number');
  }
  if (claims.iat !== undefined && claims.iat > nowS + toleranceS) {
    // Issued in the future: a clock far off, or a token minted to outlive a key rotation.
    throw unauthenticated('Token "iat" (issued at) is in the future');
  }
  if (typeof claims.sub !== 'string' || claims.sub === '') {
    throw unauthenticated('Token has no "sub" claim');
  }
  if (typeof claims.org_id !== 'string' || claims.org_id === '') {
    throw unauthenticated('Token has no "org_id" claim');
  }
  return { userId: claims.sub, orgId: claims.org_id, scopes: readScopes(claims), via: 'jwt' };
}

/** `scopes` as an array or a space/comma separated string; OAuth's `scope` string too. */
function readScopes(claims: GatewayClaims): string[] {
  if (Array.isArray(claims.scopes)) {
    return claims.scopes.filter((s): s is string => typeof s === 'string');
  }
  if (typeof claims.scopes === 'string') return claims.scopes.split(/[\s,]+/).filter(Boolean);
  if (typeof claims.scope === 'string') return claims.scope.split(/\s+/).filter(Boolean);
  return [];
}
