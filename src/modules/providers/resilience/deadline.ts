/**
 * A per-attempt deadline combined with the caller's signal. Unlike `AbortSignal.timeout` it can
 * be restarted, which streams need: their deadline is an idle timeout, restarted on each event,
 * so a long answer that keeps flowing is not cut off while a stalled one is.
 *
 * Restarting is cheap because it happens per stream chunk: `restart()` and `pause()` only move
 * a timestamp and a flag. One timer is armed at a time; when it fires early (the deadline moved
 * on since it was armed) it re-arms itself for the remainder, and while paused it lets itself
 * lapse until the next `restart()`. A stream of N chunks arms about one timer per `timeoutMs`
 * of its life instead of N.
 *
 * The caller's signal is forwarded by a listener that `dispose()` removes, not by
 * `AbortSignal.any`: Node keeps a composite signal that has an 'abort' listener (the provider
 * SDKs add one per call and never remove it) in a process-wide set until it aborts, so every
 * call that finished normally was retained for good, with the SDK's controller and listeners
 * (about 12,000 per 20 s of load, the gateway's RSS growing scenario after scenario).
 */
export class Deadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private expired = false;
  private paused = false;
  private disposed = false;
  /** performance.now() at which the deadline passes (when not paused). */
  private dueAt = 0;
  private readonly onTimer = () => this.check();
  private readonly onCallerAbort = () => this.controller.abort(this.caller?.reason);
  /** Aborts when the deadline passes or the caller aborts. */
  readonly signal: AbortSignal = this.controller.signal;

  constructor(
    readonly timeoutMs: number,
    private readonly caller?: AbortSignal,
  ) {
    if (caller?.aborted) this.controller.abort(caller.reason);
    else caller?.addEventListener('abort', this.onCallerAbort, { once: true });
    this.restart();
  }

  /** True when it was the deadline (not the caller) that aborted. */
  get fired(): boolean {
    return this.expired;
  }

  restart(): void {
    if (this.expired || this.disposed) return;
    this.paused = false;
    this.dueAt = performance.now() + this.timeoutMs;
    if (this.timer === undefined) this.arm(this.timeoutMs);
  }

  /** Stops the clock (while a stream's consumer handles an event, or for good). */
  pause(): void {
    this.paused = true;
  }

  dispose(): void {
    this.disposed = true;
    this.paused = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.caller?.removeEventListener('abort', this.onCallerAbort);
  }

  private arm(ms: number): void {
    this.timer = setTimeout(this.onTimer, ms);
  }

  private check(): void {
    this.timer = undefined;
    if (this.paused || this.disposed) return;
    const left = this.dueAt - performance.now();
    if (left > 0) {
      this.arm(Math.ceil(left));
      return;
    }
    this.expired = true;
    this.controller.abort(new DOMException('provider call timed out', 'TimeoutError'));
  }
}
