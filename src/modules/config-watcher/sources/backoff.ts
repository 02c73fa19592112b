import { backoffDelay } from '../../../common/retry/backoff';

/**
 * Reconnect delays: doubling from `baseMs` up to `maxMs`, with equal jitter so instances that
 * lost the same database do not all come back at the same instant.
 */
export class ReconnectBackoff {
  private attempt = 0;

  constructor(
    private readonly baseMs = 250,
    private readonly maxMs = 5_000,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const { baseMs, maxMs, random } = this;
    const delay = backoffDelay(this.attempt, { baseMs, maxMs, random, jitter: 'equal' });
    this.attempt = Math.min(this.attempt + 1, 30);
    return delay;
  }

  reset(): void {
    this.attempt = 0;
  }
}
