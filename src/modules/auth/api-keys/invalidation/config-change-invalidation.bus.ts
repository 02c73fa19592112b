import { ConfigChangeBus } from '../../../config-watcher';
import {
  ALL_KEYS,
  ApiKeyInvalidationBus,
  type InvalidationListener,
} from './api-key-invalidation.bus';

/**
 * API-key invalidation on the gateway's config change bus, which carries it to every instance
 * (the Redis relay when REDIS_URL is set, and the store's watcher, which also sees keys revoked
 * straight in the database). A resync — changes may have been missed — drops every cached key.
 */
export class ConfigChangeInvalidationBus extends ApiKeyInvalidationBus {
  constructor(private readonly changes: ConfigChangeBus) {
    super();
  }

  publish(keyId: string): Promise<void> {
    return this.changes.announce({ kind: 'api_key', org_id: null, id: keyId, op: 'upsert' });
  }

  subscribe(listener: InvalidationListener): () => void {
    return this.changes.subscribe(['api_key'], (e) =>
      listener(e.type === 'resync' ? ALL_KEYS : e.change.id),
    );
  }
}
