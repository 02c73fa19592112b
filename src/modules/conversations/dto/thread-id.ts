import { PipeTransform } from '@nestjs/common';
import { AppException, ErrorCode } from '../../../common/errors';
import { SAFE_ID_PATTERN } from '../../../common/validation/safe-id';

/**
 * A thread id path parameter; `param` names it in the 400 (`conversation_id` on the
 * Conversations API, whose conversations are threads).
 */
export class ParseThreadIdPipe implements PipeTransform<unknown, string> {
  constructor(private readonly param = 'thread_id') {}

  transform(value: unknown): string {
    if (typeof value === 'string' && SAFE_ID_PATTERN.test(value)) return value;
    throw new AppException(
      ErrorCode.VALIDATION_FAILED,
      `${this.param} must be 1-128 characters of letters, digits, . _ : -`,
      { param: this.param },
    );
  }
}
