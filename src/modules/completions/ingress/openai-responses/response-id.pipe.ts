import { PipeTransform } from '@nestjs/common';
import { AppException, ErrorCode } from '../../../../common/errors';
import { SAFE_ID_PATTERN } from '../../../../common/validation/safe-id';

/** A `{response_id}` path parameter: `resp_` and the characters of a safe id. */
export class ParseResponseIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (typeof value === 'string' && value.startsWith('resp_') && SAFE_ID_PATTERN.test(value)) {
      return value;
    }
    throw new AppException(
      ErrorCode.VALIDATION_FAILED,
      'response_id must be a response id (resp_ followed by letters, digits, . _ : -)',
      { param: 'response_id' },
    );
  }
}
