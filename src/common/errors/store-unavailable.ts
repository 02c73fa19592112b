import { AppException } from './app.exception';
import { ErrorCode } from './error-code';

/** Seconds a client is asked to wait after a storage fault: long enough for a reconnect. */
export const STORE_RETRY_AFTER_SECONDS = 5;

/** Socket-level failures: the service is not there (or not answering) right now. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EAI_AGAIN',
  'ENOTCONN',
]);

/**
 * PostgreSQL SQLSTATEs that say "not now" rather than "never": connection exceptions (08),
 * insufficient resources (53), operator intervention (57: shutdown, statement timeout, can't
 * connect now) and transaction rollbacks from concurrency (40001 serialization, 40P01 deadlock).
 */
const PG_TRANSIENT = /^(08|53|57)[0-9A-Z]{3}$|^40001$|^40P01$/;

/** What node-postgres and pg-pool say when the connection, not the query, failed. */
const PG_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'is not queryable',
  'Cannot use a pool after calling end',
  'the SQL store is not connected',
];

/** MongoDB driver and mongoose errors raised when the server cannot be reached or answer. */
const MONGO_NAMES = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongoWaitQueueTimeoutError',
  'MongoOperationTimeoutError',
]);

/**
 * MongoDB server codes of the same kind: shutting down, stepping down, not primary, and
 * MaxTimeMSExpired (our own deadline).
 */
const MONGO_CODES = new Set([6, 7, 50, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]);

/** ioredis, with its offline queue off, fails commands at once while disconnected. */
const REDIS_MESSAGES = [
  'Connection is closed',
  "Stream isn't writeable",
  'Command timed out',
  'Reached the max retries per request limit',
];

/**
 * True when `e` (or an error it wraps) says a storage service (PostgreSQL, MongoDB, Redis) is
 * unreachable, silent past a deadline, shutting down or overloaded: a condition that passes,
 * so the client should hear 503 with Retry-After, not 500. Matched on driver error names,
 * codes and messages by duck typing, so this file imports no driver.
 */
export function isStoreUnavailable(e: unknown): boolean {
  for (let cur = e, depth = 0; cur && depth < 5; depth++) {
    if (typeof cur !== 'object') return false;
    if (matches(cur)) return true;
    const next = (cur as ErrorLike).driverError ?? (cur as ErrorLike).cause;
    if (next === cur) return false;
    cur = next;
  }
  return false;
}

/** The 503 a storage fault becomes (the original error is kept as its cause, for the log). */
export function storeUnavailable(cause: unknown): AppException {
  return new AppException(
    ErrorCode.SERVICE_UNAVAILABLE,
    'A storage service is unavailable right now; try again shortly',
    { headers: { 'retry-after': String(STORE_RETRY_AFTER_SECONDS) }, cause },
  );
}

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  errorLabels?: unknown;
  driverError?: unknown;
  cause?: unknown;
}

function matches(e: ErrorLike): boolean {
  const { name, code, message } = e;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || PG_TRANSIENT.test(code)) return true;
  }
  if (typeof name === 'string' && MONGO_NAMES.has(name)) return true;
  if (typeof name === 'string' && name.startsWith('Mongo') && typeof code === 'number') {
    if (MONGO_CODES.has(code)) return true;
  }
  if (Array.isArray(e.errorLabels) && e.errorLabels.includes('RetryableWriteError')) return true;
  if (typeof message !== 'string') return false;
  if (PG_MESSAGES.some((m) => message.includes(m))) return true;
  if (REDIS_MESSAGES.some((m) => message.includes(m))) return true;
  // mongoose with bufferCommands off, before the first connection or after it closed.
  return (
    typeof name === 'string' &&
    name.startsWith('Mongo') &&
    /before initial connection is complete|Client must be connected|connection .* closed/i.test(
      message,
    )
  );
}
