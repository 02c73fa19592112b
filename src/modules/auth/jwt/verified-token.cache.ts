import type { Principal } from '../../../common/auth/principal';
import { TtlMap } from '../../../common/cache/ttl-map';

/**
 * Tokens that passed verification, so a client reusing its token (every SDK does) is not
 * re-verified on each request: decoding, the signature check and the claim parsing are most of
 * the auth cost. Keyed by the whole token, so only a byte-identical token hits. Expiry is
 * re-checked on every hit; `nbf` needs no re-check (it had passed and time only moves on). An
 * entry is trusted for `maxAgeMs` at most, so a signing key withdrawn from a JWKS stops being
 * honoured within that time, as if the key set were refreshed that often.
 */
export class VerifiedTokenCache {
  private readonly entries: TtlMap<string, Principal>;

  constructor(
    maxEntries = 10_000,
    private readonly maxAgeMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    this.entries = new TtlMap({ maxEntries, now });
  }

  get(token: string): Principal | undefined {
    const principal = this.entries.get(token);
    // A copy: the caller owns its principal.
    return principal && { ...principal, scopes: [...principal.scopes] };
  }

  /** `refuseAtS`: seconds since the epoch from which the token is refused (exp + tolerance). */
  set(token: string, principal: Principal, refuseAtS: number): void {
    // Held until verified again (maxAgeMs) or until the token expires, whichever comes first.
    const ttlMs = Math.min(this.maxAgeMs, refuseAtS * 1000 - this.now());
    this.entries.set(token, { ...principal, scopes: [...principal.scopes] }, ttlMs);
  }
}
