import type { Reflector } from '@nestjs/core';
import type {
  Resolvable,
  ThrottlerGenerateKeyFunction,
  ThrottlerGetTrackerFunction,
} from '@nestjs/throttler';
import { RATE_LIMITED_KEY } from './rate-limited.metadata';
import {
  THROTTLER_BLOCK_DURATION,
  THROTTLER_KEY_GENERATOR,
  THROTTLER_LIMIT,
  THROTTLER_SKIP,
  THROTTLER_TRACKER,
  THROTTLER_TTL,
} from './throttler-metadata';

/** What a route's decorators say about one named throttler. */
export interface RouteThrottler {
  skip: boolean;
  /** `@Throttle()` set a limit or a window: the route counts in a bucket of its own. */
  overridden: boolean;
  limit?: Resolvable<number>;
  ttl?: Resolvable<number>;
  blockDuration?: Resolvable<number>;
  getTracker?: ThrottlerGetTrackerFunction;
  generateKey?: ThrottlerGenerateKeyFunction;
}

/** Everything the rate-limit guard needs from a route's metadata, read once per route. */
export interface RouteThrottling {
  /** `@RateLimited()`: the deployment's limits and the org token budget apply. */
  marked: boolean;
  /** Whether any limit applies at all (marked, or `@Throttle()` for some throttler). */
  limited: boolean;
  throttlers: Map<string, RouteThrottler>;
}

type Targets = [Function, Function]; // eslint-disable-line @typescript-eslint/no-unsafe-function-type

/**
 * Reads @RateLimited(), @Throttle() and @SkipThrottle() for a route (handler, then class, as
 * @nestjs/throttler does). Route metadata never changes after start-up, so callers cache this
 * per handler instead of reading a dozen metadata keys on every request.
 */
export function readRouteThrottling(
  reflector: Reflector,
  targets: Targets,
  names: readonly string[],
): RouteThrottling {
  const get = <T>(key: string) => reflector.getAllAndOverride<T | undefined>(key, targets);
  const marked = get<boolean>(RATE_LIMITED_KEY) === true;
  const skipAll = get<boolean>(`${THROTTLER_SKIP}default`) === true;
  const throttlers = new Map<string, RouteThrottler>();
  for (const name of names) {
    const limit = get<Resolvable<number>>(THROTTLER_LIMIT + name);
    const ttl = get<Resolvable<number>>(THROTTLER_TTL + name);
    throttlers.set(name, {
      skip: skipAll || get<boolean>(THROTTLER_SKIP + name) === true,
      overridden: limit !== undefined || ttl !== undefined,
      limit,
      ttl,
      blockDuration: get<Resolvable<number>>(THROTTLER_BLOCK_DURATION + name),
      getTracker: get<ThrottlerGetTrackerFunction>(THROTTLER_TRACKER + name),
      generateKey: get<ThrottlerGenerateKeyFunction>(THROTTLER_KEY_GENERATOR + name),
    });
  }
  const overriddenAny = [...throttlers.values()].some((t) => t.overridden);
  return { marked, limited: !skipAll && (marked || overriddenAny), throttlers };
}
