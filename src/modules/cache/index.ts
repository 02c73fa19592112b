/** The response cache module's public surface; other modules import from here only. */
export { ResponseCacheModule } from './cache.module';
export { ResponseCache } from './response-cache.service';
export { cacheKeyFor, stableStringify } from './cache-key';
