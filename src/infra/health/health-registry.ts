import { Global, Injectable, Module } from '@nestjs/common';
import { ComponentStatus } from './component-status';

export interface DependencyCheck {
  /** Dependency name shown by /health/ready, e.g. "postgres". */
  name: string;
  /** Whether /health/ready fails (503) while it is down. */
  required: boolean;
  /** Resolves when the dependency answers; rejects with a reason otherwise. */
  check(): Promise<void>;
}

/**
 * Every connection registers a check here when it is created, so /health/ready reports
 * exactly the dependencies this deployment configured.
 */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, DependencyCheck>();

  register(check: DependencyCheck): void {
    this.checks.set(check.name, check);
  }

  all(): DependencyCheck[] {
    return [...this.checks.values()];
  }
}

/** Also holds ComponentStatus: feature modules (the config watcher) report their state there
 * without depending on monitoring, which only reads it. */
@Global()
@Module({
  providers: [HealthRegistry, ComponentStatus],
  exports: [HealthRegistry, ComponentStatus],
})
export class HealthRegistryModule {}
