/**
 * The store could not be asked: the connection is down (or not up yet), so the command was
 * never sent and nothing was counted. Only this failure may be answered by RATE_LIMIT_FAIL_OPEN.
 */
export class StoreUnreachableError extends Error {
  constructor(reason: string) {
    super(`rate-limit store unreachable: ${reason}`);
    this.name = 'StoreUnreachableError';
  }
}

/** The command was sent but no answer came in time: it may well have been counted. */
export class StoreTimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'StoreTimeoutError';
  }
}
