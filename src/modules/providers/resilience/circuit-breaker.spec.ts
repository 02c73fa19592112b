import { metricsRegistry } from '../../../common/metrics/prom';
import {
  type BreakerOptions,
  CircuitBreaker,
  CircuitBreakerRegistry,
  SlidingWindow,
} from './circuit-breaker';
import { DEFAULT_RESILIENCE, type ResilienceOptions } from './resilience.options';

let now = 0;
const clock = () => now;
beforeEach(() => {
  now = 0;
});

const OPTS: BreakerOptions = {
  windowMs: 10_000,
  minCalls: 4,
  failureRate: 0.5,
  minTenants: 1,
  cooldownMs: 1000,
};
const make = (opts: Partial<BreakerOptions> = {}, onChange?: (b: CircuitBreaker) => void) =>
  new CircuitBreaker('openai', 'tenant', 'k', { ...OPTS, ...opts }, clock, onChange);
const fail = (b: CircuitBreaker, n: number, tenant = '') => {
  for (let i = 0; i < n; i++) b.onFailure(tenant);
};
const succeed = (b: CircuitBreaker, n: number, tenant = '') => {
  for (let i = 0; i < n; i++) b.onSuccess(tenant);
};

describe('SlidingWindow', () => {
  it('forgets calls older than the window, bucket by bucket', () => {
    const w = new SlidingWindow(10_000, true, clock);
    w.record(true, 'a');
    now = 5000;
    w.record(false, 'b');
    expect(w.counts()).toEqual({ calls: 2, failures: 1 });
    expect(w.failingTenants()).toBe(1);
    now = 10_500;
    expect(w.counts()).toEqual({ calls: 1, failures: 0 });
    expect(w.failingTenants()).toBe(0);
    now = 15_500;
    expect(w.counts()).toEqual({ calls: 0, failures: 0 });
  });

  it('keeps per-org totals and finds the org that failed most', () => {
    const w = new SlidingWindow(10_000, true, clock);
    for (let i = 0; i < 5; i++) w.record(true, 'noisy');
    w.record(true, 'b');
    w.record(false, 'b');
    expect(w.failingTenants()).toBe(2);
    expect(w.topFailer()).toEqual({ calls: 5, failures: 5 });
  });
});

describe('CircuitBreaker (failure rate over a window)', () => {
  it('never opens below the minimum volume, however many of those calls failed', () => {
    const b = make({ minCalls: 5 });
    fail(b, 4);
    expect(b.current).toBe('closed');
    expect(b.tryAcquire()).toBe(true);
  });

  it('opens at the failure rate once the volume is there, and refuses until the cooldown passes', () => {
    const b = make();
    succeed(b, 2);
    fail(b, 1);
    expect(b.current).toBe('closed'); // 1 of 3: below the volume
    fail(b, 1);
    expect(b.current).toBe('open'); // 2 of 4: 50 %
    expect(b.tryAcquire()).toBe(false);
    now = 400;
    expect(b.retryAfterMs).toBe(600);
  });

  it('stays closed while the rate stays below the threshold', () => {
    const b = make();
    for (let i = 0; i < 20; i++) {
      b.onSuccess();
      b.onSuccess();
      b.onFailure();
    }
    expect(b.current).toBe('closed');
  });

  it('forgets failures that slid out of the window', () => {
    const b = make();
    fail(b, 3);
    now = 11_000;
    succeed(b, 3);
    fail(b, 1);
    expect(b.current).toBe('closed'); // 1 of 4 in the window
  });

  it('lets exactly one probe through when half-open; its success closes with a fresh window', () => {
    const b = make();
    fail(b, 4);
    now = 1000;
    expect(b.tryAcquire()).toBe(true);
    expect(b.current).toBe('half_open');
    expect(b.tryAcquire()).toBe(false);
    b.onSuccess();
    expect(b.current).toBe('closed');
    fail(b, 2);
    expect(b.current).toBe('closed'); // the failures before the probe are forgotten
  });

  it('reopens for another cooldown when the probe fails', () => {
    const b = make();
    fail(b, 4);
    now = 1000;
    expect(b.tryAcquire()).toBe(true);
    b.onFailure();
    expect(b.current).toBe('open');
    now = 1500;
    expect(b.tryAcquire()).toBe(false);
    now = 2000;
    expect(b.tryAcquire()).toBe(true);
  });

  it('frees the probe slot when the probe says nothing about the provider (abort, client error)', () => {
    const b = make();
    fail(b, 4);
    now = 1000;
    expect(b.tryAcquire()).toBe(true);
    b.release();
    expect(b.current).toBe('half_open');
    expect(b.tryAcquire()).toBe(true);
  });

  it('reports every transition', () => {
    const seen: string[] = [];
    const b = make({ minCalls: 1 }, (x) => seen.push(x.current));
    b.onFailure();
    now = 1000;
    b.tryAcquire();
    b.onSuccess();
    expect(seen).toEqual(['open', 'half_open', 'closed']);
  });
});

describe('CircuitBreaker shared by several orgs', () => {
  const shared = () => make({ minTenants: 3, minCalls: 10 });

  it('does not open on one org failing, however much', () => {
    const b = shared();
    fail(b, 200, 'noisy');
    succeed(b, 10, 'quiet');
    expect(b.current).toBe('closed');
  });

  it('does not open when one org makes the rate and two others fail a little', () => {
    const b = shared();
    fail(b, 100, 'noisy');
    fail(b, 1, 'b');
    fail(b, 1, 'c');
    succeed(b, 20, 'd');
    expect(b.current).toBe('closed');
  });

  it('opens when failures are spread over enough orgs', () => {
    const b = shared();
    for (const org of ['a', 'b', 'c', 'd']) {
      fail(b, 3, org);
      succeed(b, 1, org);
    }
    expect(b.current).toBe('open');
  });
});

describe('CircuitBreakerRegistry (blast radius of a shared deployment key)', () => {
  const options: ResilienceOptions = {
    ...DEFAULT_RESILIENCE,
    timeoutMs: 1000,
    maxRetries: 0,
    breakerMinCalls: 4,
    breakerMinTenants: 3,
  };

  it("opens one org's view and leaves every other org's calls flowing", () => {
    const registry = new CircuitBreakerRegistry(options);
    const noisy = registry.get('openai', 'deployment-key', 'org-noisy');
    for (let i = 0; i < 4; i++) {
      expect(noisy.tryAcquire()).toBe(true);
      noisy.onFailure();
    }
    expect(noisy.tryAcquire()).toBe(false);
    expect(noisy.retryAfterMs).toBeGreaterThan(0);
    const other = registry.get('openai', 'deployment-key', 'org-other');
    expect(other.tryAcquire()).toBe(true);
    other.onSuccess();
  });

  it('opens for everyone when several orgs fail', () => {
    const registry = new CircuitBreakerRegistry({ ...options, breakerMinCalls: 6 });
    for (const org of ['a', 'b', 'c']) {
      const g = registry.get('openai', 'k', org);
      for (let i = 0; i < 4 && g.tryAcquire(); i++) g.onFailure();
    }
    expect(registry.get('openai', 'k', 'fresh-org').tryAcquire()).toBe(false);
    // Another key (an org's own) is not affected.
    expect(registry.get('openai', 'other-key', 'fresh-org').tryAcquire()).toBe(true);
  });

  it('puts no key fingerprint or org on /metrics', async () => {
    const registry = new CircuitBreakerRegistry(options);
    const g = registry.get('openai', 'fingerprint-abc123', 'org-secret-name');
    for (let i = 0; i < 4; i++) g.onFailure();
    const text = await metricsRegistry.metrics();
    expect(text).toMatch(/gateway_provider_circuits_open\{service="openai",scope="tenant"\} [1-9]/);
    expect(text).toMatch(
      /gateway_provider_circuit_transitions_total\{service="openai",scope="tenant",to="open"\} [1-9]/,
    );
    expect(text).not.toContain('fingerprint-abc123');
    expect(text).not.toContain('org-secret-name');
  });
});
