import type { ConfigKind } from './config-change';
import type { ConfigChangeBus } from './config-change.bus';

/** What a cache must offer to be kept fresh by config change events. */
export interface InvalidatableCache {
  invalidate(org: string | null, id: string): void;
  clear(): void;
}

/**
 * Subscribes `cache` to changes of `kinds`: a change drops the record, a resync drops all.
 * Returns the unsubscribe function (call it on module destroy).
 */
export function invalidateOnChanges(
  bus: ConfigChangeBus,
  kinds: readonly ConfigKind[],
  cache: InvalidatableCache,
): () => void {
  return bus.subscribe(kinds, (e) => {
    if (e.type === 'resync') cache.clear();
    else cache.invalidate(e.change.org_id, e.change.id);
  });
}
