import { EventThrottle } from './event-throttle';

describe('EventThrottle', () => {
  let sent: Array<[string, number]>;
  let throttle: EventThrottle<string>;
  beforeEach(() => {
    jest.useFakeTimers();
    sent = [];
    throttle = new EventThrottle<string>({ windowMs: 60_000, maxKeys: 2 }, (e, n) =>
      sent.push([e, n]),
    );
  });
  afterEach(() => {
    throttle.close();
    jest.useRealTimers();
  });

  it('sends the first event of a key at once and holds back the rest of the window', () => {
    expect(throttle.offer('k', 'e1')).toBe('sent');
    expect(throttle.offer('k', 'e2')).toBe('suppressed');
    expect(throttle.offer('k', 'e3')).toBe('suppressed');
    expect(throttle.offer('other', 'o1')).toBe('sent');
    expect(sent).toEqual([
      ['e1', 0],
      ['o1', 0],
    ]);
  });

  it('summarises a held-back burst once per window, with its count', () => {
    throttle.offer('k', 'e1');
    throttle.offer('k', 'e2');
    throttle.offer('k', 'e3');
    jest.advanceTimersByTime(60_000);
    expect(sent).toEqual([
      ['e1', 0],
      ['e3', 2],
    ]);
    // The outage goes on: still one event per window.
    throttle.offer('k', 'e4');
    jest.advanceTimersByTime(60_000);
    expect(sent.at(-1)).toEqual(['e4', 1]);
    // A quiet window ends the key: the next error is sent at once again.
    jest.advanceTimersByTime(60_000);
    expect(throttle.size).toBe(0);
    expect(throttle.offer('k', 'e5')).toBe('sent');
  });

  it('bounds the keys it tracks and reports what it could not summarise', () => {
    throttle.offer('a', 'a1');
    throttle.offer('b', 'b1');
    expect(throttle.offer('c', 'c1')).toBe('dropped');
    throttle.offer('a', 'a2');
    expect(throttle.close()).toBe(1);
    jest.advanceTimersByTime(60_000);
    expect(sent).toHaveLength(2);
  });
});
