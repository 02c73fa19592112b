import type { LoggerService } from '@nestjs/common';

/**
 * The app logger during boot: informational lines (Nest's module and route mapping, each
 * module's "ready" line) go to debug until the app is ready, so `npm start` shows a handful of
 * lines at info — warnings, errors and the one summary line main.ts writes — instead of a
 * hundred. `LOG_LEVEL=debug` shows them all. After `ready()` it passes everything through.
 */
export class BootLogger implements LoggerService {
  private booting = true;

  constructor(private readonly inner: LoggerService & { debug: LoggerService['log'] }) {}

  /** Boot is over: info lines are info again. */
  ready(): void {
    this.booting = false;
  }

  log(message: unknown, ...optionalParams: unknown[]): void {
    if (this.booting) this.inner.debug(message, ...optionalParams);
    else this.inner.log(message, ...optionalParams);
  }

  error(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.error(message, ...optionalParams);
  }

  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.warn(message, ...optionalParams);
  }

  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.debug(message, ...optionalParams);
  }

  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.verbose?.(message, ...optionalParams);
  }

  fatal(message: unknown, ...optionalParams: unknown[]): void {
    (this.inner.fatal ?? this.inner.error).call(this.inner, message, ...optionalParams);
  }
}
