/**
 * A per-attempt deadline combined with the caller's signal. Unlike `AbortSignal.timeout` it can
 * be restarted, which streams need: their deadline is an idle timeout, restarted on each event,
 * so a long answer that keeps flowing is not cut off while a stalled one is.
 */
export class Deadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private expired = false;
  /** Aborts when the deadline passes or the caller aborts. */
  readonly signal: AbortSignal;

  constructor(
    readonly timeoutMs: number,
    caller?: AbortSignal,
  ) {
    this.signal = caller
      ? AbortSignal.any([caller, this.controller.signal])
      : this.controller.signal;
    this.restart();
  }

  /** True when it was the deadline (not the caller) that aborted. */
  get fired(): boolean {
    return this.expired;
  }

  restart(): void {
    if (this.expired) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort(new DOMException('provider call timed out', 'TimeoutError'));
    }, this.timeoutMs);
  }

  /** Stops the clock (while a stream's consumer handles an event, or for good). */
  pause(): void {
    clearTimeout(this.timer);
  }

  dispose(): void {
    this.pause();
  }
}
