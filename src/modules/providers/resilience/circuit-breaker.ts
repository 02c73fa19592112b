import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ServiceName } from '../provider.types';
import { providerMetrics } from './provider-metrics';
import { RESILIENCE_OPTIONS, type ResilienceOptions } from './resilience.options';

export type CircuitState = 'closed' | 'open' | 'half_open';
const STATE_VALUE: Record<CircuitState, number> = { closed: 0, half_open: 1, open: 2 };

/**
 * Classic three-state breaker. Closed: calls flow, consecutive failures are counted. Open:
 * calls are refused until the cooldown passes. Half-open: exactly one probe is let through;
 * its success closes the circuit, its failure reopens it for another cooldown.
 */
export class CircuitBreaker {
  private state: CircuitState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probing = false;

  constructor(
    readonly service: ServiceName,
    readonly keyId: string,
    private readonly threshold: number,
    private readonly cooldownMs: number,
    private readonly now: () => number = Date.now,
    private readonly onChange: (b: CircuitBreaker) => void = () => {},
  ) {}

  get current(): CircuitState {
    return this.state;
  }

  /** Milliseconds until an open circuit lets a probe through. */
  get retryAfterMs(): number {
    return this.state === 'open' ? Math.max(0, this.openedAt + this.cooldownMs - this.now()) : 0;
  }

  /** Whether a call may go out now; a true answer in half-open state reserves the probe. */
  tryAcquire(): boolean {
    if (this.state === 'open') {
      if (this.retryAfterMs > 0) return false;
      this.transition('half_open');
    }
    if (this.state === 'half_open') {
      if (this.probing) return false;
      this.probing = true;
    }
    return true;
  }

  onSuccess(): void {
    this.failures = 0;
    this.probing = false;
    if (this.state !== 'closed') this.transition('closed');
  }

  onFailure(): void {
    this.probing = false;
    this.failures += 1;
    if (this.state === 'half_open' || this.failures >= this.threshold) {
      this.openedAt = this.now();
      this.transition('open');
    }
  }

  /** The call ended without telling us anything about the provider's health (caller aborted). */
  release(): void {
    this.probing = false;
  }

  private transition(to: CircuitState): void {
    this.state = to;
    this.onChange(this);
  }
}

/** One breaker per (service, key): one org's revoked key must not take the service down for all. */
@Injectable()
export class CircuitBreakerRegistry {
  private readonly logger = new Logger('CircuitBreaker');
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(@Inject(RESILIENCE_OPTIONS) private readonly opts: ResilienceOptions) {}

  get(service: ServiceName, keyId: string): CircuitBreaker {
    const id = `${service}|${keyId}`;
    let breaker = this.breakers.get(id);
    if (!breaker) {
      breaker = new CircuitBreaker(
        service,
        keyId,
        this.opts.breakerThreshold,
        this.opts.breakerCooldownMs,
        Date.now,
        (b) => this.report(b),
      );
      this.breakers.set(id, breaker);
      providerMetrics.circuitState.set({ service, key: keyId }, 0);
    }
    return breaker;
  }

  private report(b: CircuitBreaker): void {
    providerMetrics.circuitState.set({ service: b.service, key: b.keyId }, STATE_VALUE[b.current]);
    const line = `circuit ${b.service} key=${b.keyId} is now ${b.current}`;
    if (b.current === 'open') this.logger.warn(line);
    else this.logger.log(line);
  }
}
