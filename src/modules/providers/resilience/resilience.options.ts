/**
 * Knobs of the resilience layer. Built from `providersConfig` (timeout, retries) plus defaults;
 * tests provide their own value for `RESILIENCE_OPTIONS` with tiny delays so nothing waits long.
 */
export interface ResilienceOptions {
  /** Per attempt: until the answer for a plain call, between events for a stream. */
  timeoutMs: number;
  /** Retries per service after the first attempt (so maxRetries + 1 attempts). */
  maxRetries: number;
  /** Backoff: attempt n waits random(0, min(maxDelayMs, baseDelayMs * 2^n)) ("full jitter"). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the call fails over (or fails) instead. */
  maxRetryAfterMs: number;
  /** Circuit breakers (see circuit-breaker.ts): the sliding window they count over. */
  breakerWindowMs: number;
  /** Calls in the window below which a circuit never opens. */
  breakerMinCalls: number;
  /** Share of failed calls in the window (0-1] that opens a circuit. */
  breakerFailureRate: number;
  /** Orgs that must have failed in the window before a key's shared circuit opens. */
  breakerMinTenants: number;
  /** How long an open circuit rejects calls before letting one probe through. */
  breakerCooldownMs: number;
  /** A key of a pool failing in a key-specific way sits out this long, doubling per failure. */
  keyCooldownMs?: number;
  /** The longest a key sits out by backoff (a provider's Retry-After may ask for longer). */
  keyCooldownMaxMs?: number;
  /** Clock of the key cooldowns; injectable for tests. */
  now?: () => number;
  /** Source of jitter; injectable for deterministic tests. */
  random: () => number;
}

export const RESILIENCE_OPTIONS = Symbol('RESILIENCE_OPTIONS');

export const DEFAULT_RESILIENCE: Omit<
  Required<ResilienceOptions>,
  'timeoutMs' | 'maxRetries' | 'now'
> = {
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 30_000,
  breakerWindowMs: 30_000,
  breakerMinCalls: 20,
  breakerFailureRate: 0.5,
  breakerMinTenants: 3,
  breakerCooldownMs: 30_000,
  keyCooldownMs: 1_000,
  keyCooldownMaxMs: 60_000,
  random: Math.random,
};
