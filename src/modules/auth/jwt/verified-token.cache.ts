import type { Principal } from '../../../common/auth/principal';

interface Entry {
  principal: Principal;
  /** Seconds since the epoch after which the token is refused (exp + the clock tolerance). */
  refuseAtS: number;
  /** Milliseconds since the epoch after which the entry is verified again. */
  staleAtMs: number;
}

/**
 * Tokens that passed verification, so a client reusing its token (every SDK does) is not
 * re-verified on each request: decoding, the signature check and the claim parsing are most of
 * the auth cost. Keyed by the whole token, so only a byte-identical token hits. Expiry is
 * re-checked on every hit; `nbf` needs no re-check (it had passed and time only moves on). An
 * entry is trusted for `maxAgeMs` at most, so a signing key withdrawn from a JWKS stops being
 * honoured within that time, as if the key set were refreshed that often.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly maxAgeMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(token: string): Principal | undefined {
    const e = this.entries.get(token);
    if (!e) return undefined;
    const nowMs = this.now();
    if (nowMs >= e.staleAtMs || nowMs / 1000 >= e.refuseAtS) {
      this.entries.delete(token);
      return undefined;
    }
    // A copy: the caller owns its principal.
    return { ...e.principal, scopes: [...e.principal.scopes] };
  }

  set(token: string, principal: Principal, refuseAtS: number): void {
    if (this.entries.size >= this.maxEntries) {
      // Forget the oldest (Map iteration follows insertion order).
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, {
      principal: { ...principal, scopes: [...principal.scopes] },
      refuseAtS,
      staleAtMs: this.now() + this.maxAgeMs,
    });
  }
}
