import { QueryFailedError } from 'typeorm';
import { AppException, ErrorCode } from '../../common/errors';

/** Postgres `unique_violation`. */
const PG_UNIQUE_VIOLATION = '23505';
/** MongoDB duplicate key (also raised by FerretDB). */
const MONGO_DUPLICATE_KEY = 11000;

/** True when a write failed because a unique index already holds the value, in either store. */
export function isUniqueViolation(e: unknown): boolean {
  if (e instanceof QueryFailedError) {
    return (e.driverError as { code?: string } | undefined)?.code === PG_UNIQUE_VIOLATION;
  }
  if (typeof e === 'object' && e !== null) {
    const err = e as {
      code?: unknown;
      codeName?: unknown;
      message?: unknown;
      writeErrors?: Array<{ code?: unknown }>;
    };
    if (err.code === MONGO_DUPLICATE_KEY) return true;
    if (err.writeErrors?.some((w) => w.code === MONGO_DUPLICATE_KEY)) return true;
    // FerretDB reports a unique clash on update as InternalError (code 1) whose message
    // carries the Postgres unique_violation underneath.
    return (
      err.codeName === 'InternalError' &&
      typeof err.message === 'string' &&
      /duplicate key value violates unique constraint/.test(err.message)
    );
  }
  return false;
}

/**
 * True when an unordered bulk insert failed only because some documents already existed (the
 * idempotent repeat of a write): every write error is a duplicate key. mongoose hands the
 * driver's write errors over as objects whose code sits on `err`.
 */
export function onlyDuplicateKeys(e: unknown): boolean {
  const errors = (e as { writeErrors?: unknown } | null)?.writeErrors;
  if (errors === undefined || errors === null) return isUniqueViolation(e);
  const list = Array.isArray(errors) ? errors : [errors];
  return (
    list.length > 0 &&
    list.every((w) => isUniqueViolation(w) || isUniqueViolation((w as { err?: unknown }).err))
  );
}

/** Runs a write and turns a unique-index clash into a 409 with a client-safe message. */
export async function conflictOnDuplicate<T>(write: () => Promise<T>, message: string): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (isUniqueViolation(e)) throw new AppException(ErrorCode.CONFLICT, message, { cause: e });
    throw e;
  }
}
