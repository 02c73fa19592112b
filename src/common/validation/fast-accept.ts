import { compileFastAccept, type FastAccept } from './fast-accept.compiler';

/**
 * Fast acceptance for hot request bodies. class-validator plus class-transformer cost about a
 * tenth of a completion's CPU under load (metadata lookups, instance building, a nested
 * validation pass per message). A DTO registered here gets a predicate compiled from its own
 * decorators (fast-accept.compiler.ts) that answers `true` only for bodies the full
 * ValidationPipe would certainly accept unchanged; anything else (an unusual field, a doubtful
 * value, an error) goes through the full pipe, so error messages and edge cases stay exactly as
 * class-validator defines them. A DTO change is made once, in the decorators.
 */
export type { FastAccept } from './fast-accept.compiler';

type Dto = abstract new (...args: never[]) => unknown;

/** Registered DTOs, with their predicate once compiled. */
const registered = new Map<unknown, FastAccept | undefined>();

/** Opts the bodies bound to `dto` (the class given to `@Body()`) into the fast lane. */
export function registerFastAccept(dto: Dto): void {
  if (!registered.has(dto)) registered.set(dto, undefined);
}

/** The compiled predicate of a registered DTO (compiled on first request, then kept). */
export function fastAcceptFor(dto: unknown): FastAccept | undefined {
  if (!registered.has(dto)) return undefined;
  let check = registered.get(dto);
  if (!check) registered.set(dto, (check = compileFastAccept(dto as Dto)));
  return check;
}

/**
 * Compiles every registered DTO's predicate now (the pipe calls it when built, at startup),
 * so no request pays for reading the metadata.
 */
export function compileFastAccepts(): void {
  for (const dto of registered.keys()) fastAcceptFor(dto);
}
