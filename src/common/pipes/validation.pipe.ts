import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { AppException, ErrorCode } from '../errors';
import { fastAcceptFor } from '../validation/fast-accept';

export interface FieldProblem {
  field: string;
  problems: string[];
}

/** Flattens class-validator's tree into `a.b[0].c: problem` lines. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of errors) {
    const field =
      parent === ''
        ? e.property
        : /^\d+$/.test(e.property)
          ? `${parent}[${e.property}]`
          : `${parent}.${e.property}`;
    if (e.constraints) out.push({ field, problems: Object.values(e.constraints) });
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, field));
  }
  return out;
}

/**
 * The ValidationPipe with a fast lane: a body whose DTO has a registered fast check, and that
 * passes it, is returned as parsed (a plain object instead of a DTO instance, same data);
 * every other value, and every invalid body, takes the full class-validator path.
 */
export class FastLaneValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body') {
      const check = fastAcceptFor(metadata.metatype);
      if (check?.(value)) return value;
    }
    return super.transform(value, metadata);
  }
}

/**
 * Global validation: unknown fields are rejected (not silently stripped), types are checked,
 * and the first problem names its field so the 400 is actionable.
 */
export function createValidationPipe(): ValidationPipe {
  return new FastLaneValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const details = flattenValidationErrors(errors);
      const first = details[0];
      const summary = first ? `${first.field}: ${first.problems[0]}` : 'invalid request';
      const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
      return new AppException(ErrorCode.VALIDATION_FAILED, `Validation failed: ${summary}${more}`, {
        details,
        param: first?.field,
      });
    },
  });
}
