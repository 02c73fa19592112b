import type { ConfigChange } from '../events/config-change';

/** How this instance learns about changes made elsewhere (shown by /health/ready). */
export type WatcherMode = 'change-stream' | 'polling' | 'listen-notify' | 'in-process';

/** Where a source delivers what it saw. */
export interface ChangeSink {
  change(change: ConfigChange): void;
  /** Changes may have been missed (reconnected after an outage): drop every cache. */
  resync(reason: string): void;
}

export interface SourceStatus {
  healthy: boolean;
  /** Why it is unhealthy, or the last failure it recovered from. */
  lastError?: string;
}

/**
 * One way of detecting changes in the store. `start` must not fail because the store is down
 * for a moment: it reports unhealthy and keeps retrying in the background until `stop`.
 */
export interface ChangeSource {
  readonly mode: WatcherMode;
  start(sink: ChangeSink): Promise<void>;
  stop(): Promise<void>;
  status(): SourceStatus;
  /**
   * A change this instance made, for sources that cannot see every write by themselves (polling
   * cannot see deletes): they record it where the other instances will look.
   */
  recordLocal?(change: ConfigChange): Promise<void>;
}
