import { Logger } from '@nestjs/common';
import type { ErrorReport } from '../errors/error-report';
import { redact } from '../errors/redact';
import { ErrorReporter, type ApmTransaction } from './error-reporter';

/** The parts of the `atatus-nodejs` agent (an Elastic APM agent fork) this reporter calls. */
export interface AtatusAgent {
  start(options: Record<string, unknown>): unknown;
  captureError?(error: Error, options?: { custom?: Record<string, unknown> }): void;
  notifyError?(error: Error, customData?: Record<string, unknown>): void;
  startTransaction?(name: string, type?: string): AtatusTransaction | null | undefined;
  flush?(callback?: () => void): void;
}

export interface AtatusTransaction {
  result?: string;
  setOutcome?(outcome: 'success' | 'failure'): void;
  end(result?: string): void;
}

/**
 * Reports to Atatus. The agent is started here, when the app is built, not preloaded: it then
 * cannot auto-instrument modules loaded before it, so transactions are opened and closed
 * explicitly for each HTTP request (see apm-transactions.ts) and errors are sent from the error
 * monitor, with the request's context and never a request body.
 */
export class AtatusErrorReporter extends ErrorReporter {
  readonly name = 'atatus';
  private readonly logger = new Logger('Atatus');

  constructor(private readonly agent: AtatusAgent) {
    super();
  }

  captureError(error: unknown, report: ErrorReport): void {
    const err = asError(error, report);
    const custom: Record<string, unknown> = {
      code: report.code,
      status: report.status,
      request_id: report.request_id,
      route: report.route,
      org_id: report.org_id,
      service: report.service,
      model: report.model,
      agent_id: report.agent_id,
    };
    try {
      if (this.agent.captureError) this.agent.captureError(err, { custom });
      else this.agent.notifyError?.(err, custom);
    } catch (e) {
      this.logger.warn(
        `Atatus refused an error report: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  startTransaction(name: string, type: string): ApmTransaction | undefined {
    const tx = this.agent.startTransaction?.(name, type);
    if (!tx) return undefined;
    return {
      end: (result, outcome) => {
        tx.result = result;
        tx.setOutcome?.(outcome);
        tx.end(result);
      },
    };
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.agent.flush) return resolve();
      this.agent.flush(() => resolve());
    });
  }
}

/**
 * The error as the APM should see it: our own message and stack, with anything secret-looking
 * blanked (a raw driver error can quote a connection string).
 */
function asError(error: unknown, report: ErrorReport): Error {
  const source = error instanceof Error ? error : undefined;
  const err = new Error(redact(source?.message ?? report.message));
  err.name = source?.name ?? report.code;
  if (source?.stack) err.stack = redact(source.stack);
  return err;
}
