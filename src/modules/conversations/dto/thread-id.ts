import { PipeTransform } from '@nestjs/common';
import { AppException, ErrorCode } from '../../../common/errors';
import { SAFE_ID_PATTERN } from '../../../common/validation/safe-id';

export class ParseThreadIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (typeof value === 'string' && SAFE_ID_PATTERN.test(value)) return value;
    throw new AppException(
      ErrorCode.VALIDATION_FAILED,
      'thread_id must be 1-128 characters of letters, digits, . _ : -',
      { param: 'thread_id' },
    );
  }
}
