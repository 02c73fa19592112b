import { Logger } from '@nestjs/common';
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import type { Algorithm } from 'jsonwebtoken';
import { AppException, ErrorCode } from '../../../common/errors';
import { algorithmsForPublicKey, type VerificationKey } from './verification-key';

export interface JwksOptions {
  /** Keys older than this are refetched before use (the IdP may have rotated). */
  maxAgeMs?: number;
  /** At most one refetch per this interval is triggered by an unknown `kid`, so tokens with
   *  made-up kids cannot make the gateway hammer the identity provider. */
  unknownKidCooldownMs?: number;
  fetchTimeoutMs?: number;
  /** Largest JWKS document accepted. */
  maxBytes?: number;
  now?: () => number;
}

interface CachedKey extends VerificationKey {
  kid?: string;
}

const DEFAULTS = {
  maxAgeMs: 10 * 60_000,
  unknownKidCooldownMs: 10_000,
  fetchTimeoutMs: 5_000,
  maxBytes: 512 * 1024,
};

/**
 * Public keys from a JWKS endpoint: fetched on first use, cached, refetched when stale or when a
 * token names an unknown `kid` (rate-limited). Concurrent refetches share one request, and a
 * failed refetch keeps the keys already known. JWK -> KeyObject uses node:crypto directly
 * (`createPublicKey({ format: 'jwk' })`), so no JOSE library is needed.
 */
export class JwksKeySource {
  private readonly logger = new Logger('JwksKeySource');
  private readonly opts: Required<Omit<JwksOptions, 'now'>>;
  private readonly now: () => number;
  private keys: CachedKey[] = [];
  private fetchedAt = 0;
  private lastUnknownKidRefresh = Number.NEGATIVE_INFINITY;
  private inflight: Promise<boolean> | undefined;

  constructor(
    private readonly uri: string,
    options: JwksOptions = {},
  ) {
    const { now, ...rest } = options;
    this.opts = { ...DEFAULTS, ...rest };
    this.now = now ?? Date.now;
  }

  /** Loads the keys ahead of the first request; failures are logged, not thrown. */
  warmUp(): void {
    void this.refresh();
  }

  /**
   * The key for a token's `kid` and `alg`, or undefined when the set has no such key. Throws 503
   * when no key set could be fetched at all (the identity provider, not the token, is at fault).
   */
  async keyFor(kid: string | undefined, alg: Algorithm): Promise<VerificationKey | undefined> {
    if (this.fetchedAt === 0 || this.now() - this.fetchedAt > this.opts.maxAgeMs) {
      await this.refresh();
    }
    if (this.fetchedAt === 0) {
      throw new AppException(
        ErrorCode.SERVICE_UNAVAILABLE,
        'Token signing keys are unavailable right now; try again shortly',
      );
    }
    let found = this.find(kid, alg);
    const unknownKid = kid !== undefined && !this.keys.some((k) => k.kid === kid);
    if (!found && unknownKid && this.mayRefreshForUnknownKid()) {
      this.lastUnknownKidRefresh = this.now();
      await this.refresh();
      found = this.find(kid, alg);
    }
    return found;
  }

  private mayRefreshForUnknownKid(): boolean {
    return this.now() - this.lastUnknownKidRefresh >= this.opts.unknownKidCooldownMs;
  }

  private find(kid: string | undefined, alg: Algorithm): VerificationKey | undefined {
    const usable = this.keys.filter((k) => k.algorithms.includes(alg));
    if (kid !== undefined) return usable.find((k) => k.kid === kid);
    // Without a kid, only an unambiguous set may be used.
    return usable.length === 1 ? usable[0] : undefined;
  }

  /** One fetch at a time; resolves true when fresh keys were loaded. */
  private refresh(): Promise<boolean> {
    this.inflight ??= this.fetchKeys().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async fetchKeys(): Promise<boolean> {
    try {
      const res = await fetch(this.uri, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.opts.fetchTimeoutMs),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const text = await res.text();
      if (text.length > this.opts.maxBytes) throw new Error('document too large');
      const keys = parseJwks(JSON.parse(text) as unknown);
      if (keys.length === 0) throw new Error('no usable signing keys');
      this.keys = keys;
      this.fetchedAt = this.now();
      return true;
    } catch (e) {
      this.logger.warn(
        `Could not refresh JWKS from ${this.uri}: ${e instanceof Error ? e.message : String(e)}` +
          (this.keys.length > 0 ? ' (keeping the keys already known)' : ''),
      );
      return false;
    }
  }
}

/** Public members per key type: anything else (notably a private `d`) is dropped. */
const PUBLIC_MEMBERS: Record<string, string[]> = {
  RSA: ['kty', 'n', 'e'],
  EC: ['kty', 'crv', 'x', 'y'],
};

/** The usable signing keys of a JWKS document; symmetric and unknown keys are ignored. */
export function parseJwks(doc: unknown): CachedKey[] {
  const list =
    typeof doc === 'object' && doc !== null ? (doc as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(list)) throw new Error('not a JWKS document (no "keys" array)');
  const out: CachedKey[] = [];
  for (const raw of list) {
    const key = toVerificationKey(raw);
    if (key) out.push(key);
  }
  return out;
}

function toVerificationKey(raw: unknown): CachedKey | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const jwk = raw as Record<string, unknown>;
  const members = typeof jwk.kty === 'string' ? PUBLIC_MEMBERS[jwk.kty] : undefined;
  if (!members) return undefined;
  if (jwk.use !== undefined && jwk.use !== 'sig') return undefined;
  try {
    const pub = Object.fromEntries(members.map((m) => [m, jwk[m]])) as JsonWebKey;
    const key = createPublicKey({ key: pub, format: 'jwk' });
    let algorithms = algorithmsForPublicKey(key);
    // A key that names its algorithm may only verify that one.
    if (typeof jwk.alg === 'string') {
      algorithms = algorithms.filter((a) => a === jwk.alg);
    }
    if (algorithms.length === 0) return undefined;
    return { key, algorithms, kid: typeof jwk.kid === 'string' ? jwk.kid : undefined };
  } catch {
    return undefined;
  }
}
