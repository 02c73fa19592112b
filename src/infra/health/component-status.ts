import { Injectable } from '@nestjs/common';

/** A component's state as readiness shows it: `healthy` plus whatever explains it. */
export interface ComponentState extends Record<string, unknown> {
  healthy: boolean;
}

/**
 * Parts of the gateway itself (not external dependencies) whose state `/health/ready` shows
 * under `components`, e.g. the config watcher. They never fail readiness: their own
 * dependencies do that.
 */
@Injectable()
export class ComponentStatus {
  private readonly components = new Map<string, () => ComponentState>();

  register(name: string, state: () => ComponentState): void {
    this.components.set(name, state);
  }

  snapshot(): Record<string, ComponentState> {
    return Object.fromEntries([...this.components].map(([name, state]) => [name, state()]));
  }
}
