import { Deadline } from './deadline';

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}

describe('Deadline', () => {
  it('aborts its signal when the time is up, and says so', async () => {
    const d = new Deadline(5);
    await aborted(d.signal);
    expect(d.fired).toBe(true);
  });

  it("follows the caller's signal without counting as fired", () => {
    const caller = new AbortController();
    const d = new Deadline(60_000, caller.signal);
    caller.abort();
    expect(d.signal.aborted).toBe(true);
    expect(d.fired).toBe(false);
    d.dispose();
  });

  it('does not fire while paused or after dispose', () => {
    jest.useFakeTimers();
    try {
      const d = new Deadline(100);
      d.pause();
      jest.advanceTimersByTime(500);
      expect(d.fired).toBe(false);
      d.restart();
      jest.advanceTimersByTime(99);
      expect(d.fired).toBe(false);
      d.restart();
      jest.advanceTimersByTime(99);
      expect(d.fired).toBe(false);
      jest.advanceTimersByTime(1);
      expect(d.fired).toBe(true);
      expect(d.signal.aborted).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });

  it('keeps one timer however often a stream restarts it, and still fires on idle', () => {
    jest.useFakeTimers();
    try {
      const d = new Deadline(100);
      for (let i = 0; i < 50; i++) {
        d.pause();
        jest.advanceTimersByTime(10);
        d.restart();
        expect(jest.getTimerCount()).toBe(1);
      }
      expect(d.fired).toBe(false);
      jest.advanceTimersByTime(100);
      expect(d.fired).toBe(true);
      d.dispose();
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
