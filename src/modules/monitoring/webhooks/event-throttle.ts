export interface EventThrottleOptions {
  /** At most one event per key per window; the rest are counted. */
  windowMs: number;
  /** Distinct keys tracked at once; events of new keys beyond it are dropped (and counted). */
  maxKeys: number;
}

export type ThrottleResult = 'sent' | 'suppressed' | 'dropped';

interface Window<E> {
  suppressed: number;
  latest: E | undefined;
  timer: NodeJS.Timeout;
}

/**
 * Keeps a burst of identical events from flooding a receiver: the first event of a key goes
 * out at once; the ones after it within the window are only counted, and when the window closes
 * the latest of them goes out once with that count (then a new window starts, so a continuing
 * outage yields one event per window). A quiet key is forgotten at the end of its window.
 */
export class EventThrottle<E> {
  private readonly windows = new Map<string, Window<E>>();

  constructor(
    private readonly opts: EventThrottleOptions,
    private readonly send: (event: E, suppressed: number) => void,
  ) {}

  offer(key: string, event: E): ThrottleResult {
    const open = this.windows.get(key);
    if (open) {
      open.suppressed++;
      open.latest = event;
      return 'suppressed';
    }
    if (this.windows.size >= this.opts.maxKeys) return 'dropped';
    this.openWindow(key);
    this.send(event, 0);
    return 'sent';
  }

  /** Stops every timer; returns how many held-back events were never summarised. */
  close(): number {
    let unsent = 0;
    for (const w of this.windows.values()) {
      clearTimeout(w.timer);
      unsent += w.suppressed;
    }
    this.windows.clear();
    return unsent;
  }

  get size(): number {
    return this.windows.size;
  }

  private openWindow(key: string): void {
    const timer = setTimeout(() => this.closeWindow(key), this.opts.windowMs);
    timer.unref();
    this.windows.set(key, { suppressed: 0, latest: undefined, timer });
  }

  private closeWindow(key: string): void {
    const w = this.windows.get(key);
    this.windows.delete(key);
    if (!w || w.suppressed === 0 || w.latest === undefined) return;
    this.openWindow(key);
    this.send(w.latest, w.suppressed);
  }
}
