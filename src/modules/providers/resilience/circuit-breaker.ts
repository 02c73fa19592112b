import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ServiceName } from '../provider.types';
import { providerMetrics } from './provider-metrics';
import { RESILIENCE_OPTIONS, type ResilienceOptions } from './resilience.options';

export type CircuitState = 'closed' | 'open' | 'half_open';

/** `shared`: one per (service, key), for every org; `tenant`: one org's view of that key. */
export type CircuitScope = 'shared' | 'tenant';

export interface BreakerOptions {
  /** Length of the sliding window over which calls and failures are counted. */
  windowMs: number;
  /** No verdict below this many calls in the window. */
  minCalls: number;
  /** Share of failed calls (0-1] in the window at which the circuit opens. */
  failureRate: number;
  /**
   * Distinct orgs whose calls must have failed in the window before a shared circuit opens
   * (1 for a tenant view, which only ever sees one org).
   */
  minTenants: number;
  /** How long an open circuit refuses calls before letting one probe through. */
  cooldownMs: number;
}

/** Buckets per window: the window slides in steps of windowMs / BUCKETS. */
const BUCKETS = 10;

interface Counts {
  calls: number;
  failures: number;
}

interface Bucket extends Counts {
  /** Start of the bucket's time slot; -1 when empty. */
  start: number;
  /** Per-org counts within the bucket (shared circuits only). */
  tenants?: Map<string, Counts>;
}

/**
 * Calls and failures over the last `windowMs`, kept in time buckets with running totals, so
 * recording is O(1) (plus a walk over ten buckets to expire old ones). With per-tenant
 * tracking it also keeps each org's totals and how many orgs have failures in the window.
 */
export class SlidingWindow {
  private readonly buckets: Bucket[];
  private readonly bucketMs: number;
  private readonly byTenant?: Map<string, Counts>;
  private totals: Counts = { calls: 0, failures: 0 };
  private failing = 0;

  constructor(
    windowMs: number,
    trackTenants: boolean,
    private readonly now: () => number,
  ) {
    this.bucketMs = Math.max(1, Math.ceil(windowMs / BUCKETS));
    this.buckets = Array.from({ length: BUCKETS }, () => ({ start: -1, calls: 0, failures: 0 }));
    if (trackTenants) this.byTenant = new Map();
  }

  record(failed: boolean, tenant: string): void {
    const bucket = this.current();
    bucket.calls++;
    this.totals.calls++;
    if (failed) {
      bucket.failures++;
      this.totals.failures++;
    }
    if (!this.byTenant) return;
    const inBucket = (bucket.tenants ??= new Map<string, Counts>()).get(tenant);
    if (inBucket) {
      inBucket.calls++;
      if (failed) inBucket.failures++;
    } else {
      bucket.tenants.set(tenant, { calls: 1, failures: failed ? 1 : 0 });
    }
    let total = this.byTenant.get(tenant);
    if (!total) this.byTenant.set(tenant, (total = { calls: 0, failures: 0 }));
    total.calls++;
    if (failed && total.failures++ === 0) this.failing++;
  }

  /** Calls and failures in the window. */
  counts(): Counts {
    this.expire();
    return this.totals;
  }

  /** Orgs with at least one failure in the window. */
  failingTenants(): number {
    this.expire();
    return this.failing;
  }

  /** The counts of the org with the most failures in the window (a walk over the orgs). */
  topFailer(): Counts {
    this.expire();
    let top: Counts = { calls: 0, failures: 0 };
    for (const c of this.byTenant?.values() ?? []) if (c.failures > top.failures) top = c;
    return top;
  }

  reset(): void {
    for (const b of this.buckets) this.clear(b);
    this.totals = { calls: 0, failures: 0 };
    this.byTenant?.clear();
    this.failing = 0;
  }

  private current(): Bucket {
    const now = this.now();
    const start = now - (now % this.bucketMs);
    const bucket = this.buckets[Math.floor(now / this.bucketMs) % BUCKETS];
    if (bucket.start !== start) {
      this.drop(bucket);
      bucket.start = start;
    }
    this.expire();
    return bucket;
  }

  private expire(): void {
    const oldest = this.now() - this.bucketMs * BUCKETS;
    for (const b of this.buckets) if (b.start !== -1 && b.start <= oldest) this.drop(b);
  }

  /** Takes an expired bucket's counts out of the totals. */
  private drop(b: Bucket): void {
    this.totals.calls -= b.calls;
    this.totals.failures -= b.failures;
    if (this.byTenant && b.tenants) {
      for (const [tenant, c] of b.tenants) {
        const total = this.byTenant.get(tenant);
        if (!total) continue;
        const hadFailures = total.failures > 0;
        total.calls -= c.calls;
        total.failures -= c.failures;
        if (hadFailures && total.failures === 0) this.failing--;
        if (total.calls <= 0) this.byTenant.delete(tenant);
      }
    }
    this.clear(b);
  }

  private clear(b: Bucket): void {
    b.start = -1;
    b.calls = 0;
    b.failures = 0;
    b.tenants = undefined;
  }
}

/**
 * A three-state breaker on a failure rate. Closed: calls flow and are counted over a sliding
 * window; the circuit opens when the window holds at least `minCalls` calls of which at least
 * `failureRate` failed (and, for a shared circuit, the failures come from at least `minTenants`
 * orgs, and with the org that failed most left out the other calls still reach `minCalls` and
 * the rate, so no single org's traffic decides it). Open: calls are refused until the cooldown passes. Half-open: exactly
 * one probe is let through; its success closes the circuit (with a fresh window), its failure
 * reopens it for another cooldown. Outcomes that say nothing about the provider (client
 * errors, aborts) are not recorded at all: `release()` only frees a probe slot.
 */
export class CircuitBreaker {
  private state: CircuitState = 'closed';
  private openedAt = 0;
  private probing = false;
  private readonly window: SlidingWindow;

  constructor(
    readonly service: ServiceName,
    readonly scope: CircuitScope,
    /** For logs only: the key's fingerprint, and the org for a tenant view. */
    readonly label: string,
    private readonly opts: BreakerOptions,
    private readonly now: () => number = Date.now,
    private readonly onChange: (b: CircuitBreaker, from: CircuitState) => void = () => {},
  ) {
    this.window = new SlidingWindow(opts.windowMs, opts.minTenants > 1, now);
  }

  get current(): CircuitState {
    return this.state;
  }

  /** Milliseconds until an open circuit lets a probe through. */
  get retryAfterMs(): number {
    return this.state === 'open'
      ? Math.max(0, this.openedAt + this.opts.cooldownMs - this.now())
      : 0;
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

  onSuccess(tenant = ''): void {
    this.probing = false;
    if (this.state === 'half_open') {
      this.window.reset();
      this.transition('closed');
    }
    if (this.state === 'closed') this.window.record(false, tenant);
  }

  onFailure(tenant = ''): void {
    this.probing = false;
    if (this.state === 'half_open') {
      this.open();
      return;
    }
    if (this.state !== 'closed') return;
    this.window.record(true, tenant);
    if (this.shouldOpen()) this.open();
  }

  /** The call ended without telling us anything about the provider's health. */
  release(): void {
    this.probing = false;
  }

  private shouldOpen(): boolean {
    const { minCalls, failureRate, minTenants } = this.opts;
    const { calls, failures } = this.window.counts();
    if (calls < minCalls || failures < failureRate * calls) return false;
    if (minTenants <= 1) return true;
    if (this.window.failingTenants() < minTenants) return false;
    // Without the org that failed most, the other calls must still make the verdict alone.
    const top = this.window.topFailer();
    const restCalls = calls - top.calls;
    return restCalls >= minCalls && failures - top.failures >= failureRate * restCalls;
  }

  private open(): void {
    this.openedAt = this.now();
    this.window.reset();
    this.transition('open');
  }

  private transition(to: CircuitState): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.onChange(this, from);
  }
}

/**
 * What a call holds: the shared circuit of its (service, key) and its org's own view of it.
 * A call goes out only when both let it; its outcome is recorded in both.
 */
export class CircuitGuard {
  constructor(
    private readonly shared: CircuitBreaker,
    private readonly view: CircuitBreaker,
    private readonly tenant: string,
  ) {}

  tryAcquire(): boolean {
    if (!this.view.tryAcquire()) return false;
    if (this.shared.tryAcquire()) return true;
    this.view.release();
    return false;
  }

  get retryAfterMs(): number {
    return Math.max(this.shared.retryAfterMs, this.view.retryAfterMs);
  }

  onSuccess(): void {
    this.view.onSuccess(this.tenant);
    this.shared.onSuccess(this.tenant);
  }

  onFailure(): void {
    this.view.onFailure(this.tenant);
    this.shared.onFailure(this.tenant);
  }

  release(): void {
    this.view.release();
    this.shared.release();
  }
}

/** Circuits kept per scope; beyond this the least recently used is forgotten. */
const MAX_CIRCUITS = 10_000;

/**
 * Circuits per (service, key) and per (service, key, org).
 *
 * Why two levels: a deployment key is shared by every org, and the failures one org causes
 * (requests that time out, or that a provider answers with 5xx) must not take the service down
 * for the others. An org's failures open its own view, so only its calls on that key are
 * refused; the shared circuit opens only when several orgs fail (see CircuitBreaker). An org's
 * own key has a shared circuit that only that org uses: there its view decides.
 */
@Injectable()
export class CircuitBreakerRegistry {
  private readonly logger = new Logger('CircuitBreaker');
  private readonly shared = new Map<string, CircuitBreaker>();
  private readonly views = new Map<string, { guard: CircuitGuard; view: CircuitBreaker }>();
  private readonly sharedOpts: BreakerOptions;
  private readonly viewOpts: BreakerOptions;

  constructor(@Inject(RESILIENCE_OPTIONS) opts: ResilienceOptions) {
    this.sharedOpts = {
      windowMs: opts.breakerWindowMs,
      minCalls: opts.breakerMinCalls,
      failureRate: opts.breakerFailureRate,
      minTenants: opts.breakerMinTenants,
      cooldownMs: opts.breakerCooldownMs,
    };
    this.viewOpts = { ...this.sharedOpts, minTenants: 1 };
  }

  /** The guard for one call of `tenant` (the org id; '' for calls without one) on a key. */
  get(service: ServiceName, keyId: string, tenant = ''): CircuitGuard {
    const viewId = `${service}|${keyId}|${tenant}`;
    const existing = this.views.get(viewId);
    if (existing) {
      // Most recently used last, so the oldest is the one forgotten when the map is full.
      this.views.delete(viewId);
      this.views.set(viewId, existing);
      return existing.guard;
    }
    const sharedId = `${service}|${keyId}`;
    let shared = this.shared.get(sharedId);
    if (!shared) {
      shared = this.create(service, 'shared', `key=${keyId}`, this.sharedOpts);
      this.remember(this.shared, sharedId, shared, (b) => b);
    }
    const view = this.create(service, 'tenant', `key=${keyId} org=${tenant}`, this.viewOpts);
    const guard = new CircuitGuard(shared, view, tenant);
    this.remember(this.views, viewId, { guard, view }, (e) => e.view);
    return guard;
  }

  private create(
    service: ServiceName,
    scope: CircuitScope,
    label: string,
    opts: BreakerOptions,
  ): CircuitBreaker {
    return new CircuitBreaker(service, scope, label, opts, Date.now, (b, from) =>
      this.report(b, from),
    );
  }

  private remember<V>(
    map: Map<string, V>,
    id: string,
    value: V,
    breakerOf: (v: V) => CircuitBreaker,
  ): void {
    map.set(id, value);
    if (map.size <= MAX_CIRCUITS) return;
    const [oldestId, oldest] = map.entries().next().value as [string, V];
    map.delete(oldestId);
    const breaker = breakerOf(oldest);
    // A forgotten circuit that was not closed no longer counts as one.
    if (breaker.current !== 'closed') {
      providerMetrics.circuitsNotClosed.dec({ service: breaker.service, scope: breaker.scope });
    }
  }

  private report(b: CircuitBreaker, from: CircuitState): void {
    const labels = { service: b.service, scope: b.scope };
    providerMetrics.circuitTransitions.inc({ ...labels, to: b.current });
    if (from === 'closed') providerMetrics.circuitsNotClosed.inc(labels);
    if (b.current === 'closed') providerMetrics.circuitsNotClosed.dec(labels);
    const line = `circuit ${b.service} (${b.scope}) ${b.label} is now ${b.current}`;
    if (b.current === 'open') this.logger.warn(line);
    else this.logger.log(line);
  }
}
