/**
 * Fast acceptance for hot request bodies. class-validator plus class-transformer cost about a
 * tenth of a completion's CPU under load (metadata lookups, instance building, a nested
 * validation pass per message). A fast check is a hand-written predicate that answers `true`
 * only for bodies the DTO's decorators would certainly accept unchanged; anything else (an
 * unusual field, a doubtful value, an error) goes through the full ValidationPipe, so error
 * messages and edge cases stay exactly as class-validator defines them.
 *
 * A check must be conservative: a false `true` would let an invalid body through. Each one has
 * a parity test that runs the same bodies through both.
 */
export type FastAccept = (body: unknown) => boolean;

const checks = new Map<unknown, FastAccept>();

/** Registers `check` for bodies bound to `dto` (the class given to `@Body()`). */
export function registerFastAccept(
  dto: abstract new (...args: never[]) => unknown,
  check: FastAccept,
): void {
  checks.set(dto, check);
}

export function fastAcceptFor(dto: unknown): FastAccept | undefined {
  return checks.get(dto);
}

// --- building blocks for checks -------------------------------------------------------------

/** What JSON.parse builds for an object: a literal with Object.prototype. */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

/** class-validator's IsNumber (no NaN, no Infinity) within [min, max]. */
export function isNumberIn(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
}

/** class-validator's IsInt within [min, max]. */
export function isIntIn(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/**
 * A string of at most `max` UTF-16 units. MaxLength counts a surrogate pair as one character,
 * so this is never looser than it.
 */
export function isStringUpTo(v: unknown, max: number, nonEmpty = false): v is string {
  return typeof v === 'string' && v.length <= max && (!nonEmpty || v.length > 0);
}
