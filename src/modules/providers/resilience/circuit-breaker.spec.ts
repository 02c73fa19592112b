import { CircuitBreaker } from './circuit-breaker';

describe('CircuitBreaker', () => {
  let now = 0;
  const clock = () => now;
  const make = () => new CircuitBreaker('openai', 'k', 3, 1000, clock);

  beforeEach(() => {
    now = 0;
  });

  it('stays closed below the threshold; a success resets the count', () => {
    const b = make();
    b.onFailure();
    b.onFailure();
    b.onSuccess();
    b.onFailure();
    b.onFailure();
    expect(b.current).toBe('closed');
    expect(b.tryAcquire()).toBe(true);
  });

  it('opens after N consecutive failures and refuses calls until the cooldown passes', () => {
    const b = make();
    for (let i = 0; i < 3; i++) b.onFailure();
    expect(b.current).toBe('open');
    expect(b.tryAcquire()).toBe(false);
    now = 400;
    expect(b.retryAfterMs).toBe(600);
    expect(b.tryAcquire()).toBe(false);
  });

  it('lets exactly one probe through when half-open; its success closes the circuit', () => {
    const b = make();
    for (let i = 0; i < 3; i++) b.onFailure();
    now = 1000;
    expect(b.tryAcquire()).toBe(true);
    expect(b.current).toBe('half_open');
    expect(b.tryAcquire()).toBe(false);
    b.onSuccess();
    expect(b.current).toBe('closed');
    expect(b.tryAcquire()).toBe(true);
  });

  it('reopens for another cooldown when the probe fails', () => {
    const b = make();
    for (let i = 0; i < 3; i++) b.onFailure();
    now = 1000;
    expect(b.tryAcquire()).toBe(true);
    b.onFailure();
    expect(b.current).toBe('open');
    now = 1500;
    expect(b.tryAcquire()).toBe(false);
    now = 2000;
    expect(b.tryAcquire()).toBe(true);
  });

  it('frees the probe slot when the probe ends without a verdict (caller aborted)', () => {
    const b = make();
    for (let i = 0; i < 3; i++) b.onFailure();
    now = 1000;
    expect(b.tryAcquire()).toBe(true);
    b.release();
    expect(b.current).toBe('half_open');
    expect(b.tryAcquire()).toBe(true);
  });

  it('reports every transition', () => {
    const seen: string[] = [];
    const b = new CircuitBreaker('groq', 'k', 1, 10, clock, (x) => seen.push(x.current));
    b.onFailure();
    now = 10;
    b.tryAcquire();
    b.onSuccess();
    expect(seen).toEqual(['open', 'half_open', 'closed']);
  });
});
