/** Marks routes under the request limits (set by `@RateLimited()`, read by the guard). */
export const RATE_LIMITED_KEY = 'throttling:rate-limited';
