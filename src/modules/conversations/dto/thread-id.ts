import { PipeTransform } from '@nestjs/common';
import { AppException, ErrorCode } from '../../../common/errors';

/** The same shape the completion endpoints accept for thread ids. */
export const THREAD_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export class ParseThreadIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (typeof value === 'string' && THREAD_ID_PATTERN.test(value)) return value;
    throw new AppException(
      ErrorCode.VALIDATION_FAILED,
      'thread_id must be 1-128 characters of letters, digits, . _ : -',
      { param: 'thread_id' },
    );
  }
}
