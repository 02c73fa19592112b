import { Logger } from '@nestjs/common';
import type { ResealReport } from './reseal';

/**
 * Runs a re-encryption pass after boot without delaying it, and lets shutdown wait for it so
 * the pass never dies half-way through a batch with the connection closed under it.
 */
export class BackgroundReseal {
  private running?: Promise<void>;

  constructor(
    private readonly what: string,
    private readonly logger: Logger,
  ) {}

  start(pass: () => Promise<ResealReport>): void {
    if (this.running) return;
    this.running = pass().then(
      (r) => {
        if (r.resealed > 0 || r.failed > 0) {
          this.logger.log(
            `Re-encrypted ${r.resealed} ${this.what} with the current key (${r.failed} unreadable with any configured key)`,
          );
        }
      },
      (e: unknown) => {
        this.logger.error(
          `Re-encrypting ${this.what} failed: ${e instanceof Error ? e.message : String(e)}`,
        );
      },
    );
  }

  async finished(): Promise<void> {
    await this.running;
  }
}
