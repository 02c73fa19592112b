import type { ErrorReport } from '../errors/error-report';

/** A unit of work an APM times (one HTTP request). */
export interface ApmTransaction {
  /** `result` e.g. `HTTP 2xx`; `outcome` whether it failed. */
  end(result: string, outcome: 'success' | 'failure'): void;
}

/**
 * The port to an APM. Atatus implements it today; another APM (OpenTelemetry) is one more file
 * implementing these three methods, chosen in `error-reporter.provider.ts`.
 */
export abstract class ErrorReporter {
  /** `none` when no APM is configured. */
  abstract readonly name: string;
  /** A server error (5xx or provider failure) with its context; the error object gives the stack. */
  abstract captureError(error: unknown, report: ErrorReport): void;
  /** Starts timing an HTTP request; undefined when the APM does not record transactions. */
  abstract startTransaction(name: string, type: string): ApmTransaction | undefined;
  /** Flushes what is buffered before the process exits. */
  abstract close(): Promise<void>;
}

/** No APM configured: nothing is loaded, nothing is sent. */
export class NoopErrorReporter extends ErrorReporter {
  readonly name = 'none';

  captureError(): void {}

  startTransaction(): undefined {
    return undefined;
  }

  async close(): Promise<void> {}
}
