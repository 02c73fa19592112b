/** How a wait is spread inside its ceiling, so failures that came together do not retry together. */
export type Jitter =
  /** Uniformly in [0, ceiling) (whole milliseconds, rounded down). */
  | 'full'
  /** Uniformly in [ceiling/2, ceiling]: the wait still grows, but spread (rounded). */
  | 'equal'
  /** The ceiling itself. */
  | 'none';

export interface BackoffOptions {
  /** The ceiling of the first wait (n = 0). */
  baseMs: number;
  /** No ceiling grows past this. */
  maxMs: number;
  /** Each ceiling is this many times the one before (default 2). */
  factor?: number;
  jitter: Jitter;
  /** Source of jitter in [0, 1); tests pin it. */
  random?: () => number;
}

/**
 * The one exponential backoff of the gateway: wait number `n` (0-based) has the ceiling
 * `min(maxMs, baseMs * factor^n)`, and the wait is chosen inside it by `jitter`.
 */
export function backoffDelay(n: number, o: BackoffOptions): number {
  const exponent = Math.max(0, Math.floor(n));
  const ceiling = Math.min(o.maxMs, o.baseMs * (o.factor ?? 2) ** exponent);
  const random = o.random ?? Math.random;
  switch (o.jitter) {
    case 'full':
      return Math.floor(random() * ceiling);
    case 'equal':
      return Math.round(ceiling / 2 + (random() * ceiling) / 2);
    case 'none':
      return ceiling;
  }
}
