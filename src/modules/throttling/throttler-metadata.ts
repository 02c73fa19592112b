/**
 * @nestjs/throttler's route metadata keys (its `throttler.constants`, not exported from the
 * package root): `@Throttle({ name: {...} })` sets `LIMIT + name`, `TTL + name`, ...,
 * `@SkipThrottle({ name: true })` sets `SKIP + name`. A unit spec checks them against the
 * package's decorators, so an upgrade that renames them fails loudly.
 */
export const THROTTLER_LIMIT = 'THROTTLER:LIMIT';
export const THROTTLER_TTL = 'THROTTLER:TTL';
export const THROTTLER_BLOCK_DURATION = 'THROTTLER:BLOCK_DURATION';
export const THROTTLER_TRACKER = 'THROTTLER:TRACKER';
export const THROTTLER_KEY_GENERATOR = 'THROTTLER:KEY_GENERATOR';
export const THROTTLER_SKIP = 'THROTTLER:SKIP';
