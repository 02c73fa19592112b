import { getEventListeners } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

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

  it("passes on the reason of a caller's signal that aborted before it was made", () => {
    const caller = new AbortController();
    caller.abort(new Error('client disconnected'));
    const d = new Deadline(60_000, caller.signal);
    expect(d.signal.aborted).toBe(true);
    expect((d.signal.reason as Error).message).toBe('client disconnected');
    expect(d.fired).toBe(false);
    d.dispose();
  });

  it('leaves nothing behind on a long-lived caller signal once disposed', () => {
    // The leak this guards against: a composite signal (AbortSignal.any) with an 'abort'
    // listener on it, as the provider SDKs add per call, is held by Node until it aborts.
    // The deadline's own signal must be a plain one, and dispose() must detach from the caller.
    const caller = new AbortController();
    for (let i = 0; i < 1000; i += 1) {
      const d = new Deadline(60_000, caller.signal);
      d.signal.addEventListener('abort', () => undefined);
      d.dispose();
    }
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    const d = new Deadline(60_000, caller.signal);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
    d.dispose();
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it("lets a finished call's signal be collected though a listener stays on it", async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const caller = new AbortController();
    const refs: WeakRef<AbortSignal>[] = [];
    for (let i = 0; i < 100; i += 1) {
      const d = new Deadline(60_000, caller.signal);
      // What the SDK does per call: a listener it never removes.
      d.signal.addEventListener('abort', () => undefined);
      d.dispose();
      refs.push(new WeakRef(d.signal));
    }
    // WeakRefs are only cleared after the job that made them.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    // V8 may still hold the most recent one or two (registers, inline caches): a leak holds all.
    expect(refs.filter((r) => r.deref() !== undefined).length).toBeLessThan(10);
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
