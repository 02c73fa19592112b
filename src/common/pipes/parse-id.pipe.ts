import { PipeTransform } from '@nestjs/common';
import { AppException, ErrorCode } from '../errors';

/**
 * Checks a route id against its kind's shape (`agt_...`, `tool_...`) before any lookup, so a
 * malformed id is a clear 400 instead of a confusing 404.
 */
export class ParseIdPipe implements PipeTransform<unknown, string> {
  private readonly pattern: RegExp;

  constructor(
    private readonly prefix: string,
    private readonly label = 'id',
  ) {
    this.pattern = new RegExp(`^${prefix}_[A-Za-z0-9_-]{8,64}$`);
  }

  transform(value: unknown): string {
    if (typeof value === 'string' && this.pattern.test(value)) return value;
    throw new AppException(
      ErrorCode.VALIDATION_FAILED,
      `${this.label} must look like ${this.prefix}_<id>`,
      { param: this.label },
    );
  }
}
