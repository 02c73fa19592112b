import type { ChangeSource, SourceStatus } from './change-source';

/**
 * Embedded mode: one process owns the store (PGlite serves a single connection), so every
 * write is announced in-process by the service that made it and there is nothing to watch.
 */
export class InProcessSource implements ChangeSource {
  readonly mode = 'in-process' as const;

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  status(): SourceStatus {
    return { healthy: true };
  }
}
