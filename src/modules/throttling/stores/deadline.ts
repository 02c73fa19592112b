import { StoreTimeoutError } from './store-errors';

export interface DeadlineOptions {
  /** A timer that fires later than this after its due time means the event loop was busy. */
  lagToleranceMs?: number;
  /** The longest a call may take however busy the loop is. */
  hardCapMs?: number;
  now?: () => number;
}

/**
 * Rejects with StoreTimeoutError when `work` has not settled within `ms` — measured so that
 * event-loop lag alone never fires it:
 * - when the timer fires, the decision waits one `setImmediate` turn, so a reply that reached
 *   the socket while the loop was busy is read (the poll phase runs before the check phase)
 *   and wins: a late-read answer is still an answer;
 * - when the timer itself fired late (the loop was stalled for longer than `lagToleranceMs`),
 *   the store gets another `ms` on a loop that can observe it, up to `hardCapMs` in all.
 * Under a burst that saturates the CPU this is what keeps a counted request from being treated
 * as unanswered; a store that is really silent still times out.
 */
export function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  opts: DeadlineOptions = {},
): Promise<T> {
  const now = opts.now ?? (() => performance.now());
  const lagToleranceMs = opts.lagToleranceMs ?? Math.max(20, ms / 4);
  const hardCapMs = opts.hardCapMs ?? ms * 4;
  const started = now();
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      const dueAt = now() + ms;
      timer = setTimeout(() => {
        const lateBy = now() - dueAt;
        setImmediate(() => {
          if (settled) return;
          if (lateBy > lagToleranceMs && now() - started + ms <= hardCapMs) {
            arm();
            return;
          }
          settled = true;
          reject(new StoreTimeoutError(Math.round(now() - started)));
        });
      }, ms);
    };
    arm();
    work.then(
      (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
