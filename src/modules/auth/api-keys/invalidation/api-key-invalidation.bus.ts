/** An API key id, or ALL_KEYS when every cached key must be dropped (e.g. missed messages). */
export type InvalidationListener = (keyId: string) => void;

export const ALL_KEYS = '*';

/**
 * Tells every gateway instance that a key changed (revoked, deleted, edited) so its cache
 * drops it at once. The app binds it to the config change bus (ConfigChangeInvalidationBus),
 * which reaches the other instances; `publish` notifies the local listeners directly, never
 * relying on the round trip. The in-process implementation serves unit tests.
 */
export abstract class ApiKeyInvalidationBus {
  abstract publish(keyId: string): Promise<void>;
  /** Returns the unsubscribe function. */
  abstract subscribe(listener: InvalidationListener): () => void;
}

/** One process, one instance: the listeners are called synchronously. */
export class InProcessInvalidationBus extends ApiKeyInvalidationBus {
  protected readonly listeners = new Set<InvalidationListener>();

  async publish(keyId: string): Promise<void> {
    this.notify(keyId);
  }

  subscribe(listener: InvalidationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  protected notify(keyId: string): void {
    for (const listener of this.listeners) listener(keyId);
  }
}
