import { ErrorCode, DEFAULT_STATUS } from './error-code';

export interface AppExceptionOptions {
  status?: number;
  details?: unknown;
  /** OpenAI-shape `param` on /v1 routes (the offending field). */
  param?: string;
  /** Extra response headers, e.g. Retry-After. */
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * The gateway's own exception: a code from the enum, a message safe to show to the client
 * (never a secret, never a stack) and optional details. The global filter renders it.
 */
export class AppException extends Error {
  readonly status: number;
  readonly details?: unknown;
  readonly param?: string;
  readonly headers?: Record<string, string>;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: AppExceptionOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppException';
    this.status = options.status ?? DEFAULT_STATUS[code];
    this.details = options.details;
    this.param = options.param;
    this.headers = options.headers;
  }
}
