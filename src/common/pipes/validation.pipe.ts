import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { AppException, ErrorCode } from '../errors';
import { holdBack } from '../validation/as-sent';
import { compileFastAccepts, fastAcceptFor } from '../validation/fast-accept';
import { findJsonProblem } from '../validation/json-guard';
import {
  MAX_REPORTED_PROBLEMS,
  preflight,
  type FieldProblem,
  type LongArray,
} from '../validation/preflight';

export type { FieldProblem } from '../validation/preflight';

/** Query strings and route parameters are flat: a parsed query nests at most an array. */
const MAX_QUERY_DEPTH = 4;
/** Items validated between two turns of the event loop, when validating item by item. */
const ITEMS_PER_TURN = 128;

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

/** The 400 for a list of problems: the first one in the message, at most 20 in `details`. */
export function validationFailed(details: FieldProblem[]): AppException {
  const first = details[0];
  const summary = first ? `${first.field}: ${first.problems[0]}` : 'invalid request';
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  return new AppException(ErrorCode.VALIDATION_FAILED, `Validation failed: ${summary}${more}`, {
    details: details.slice(0, MAX_REPORTED_PROBLEMS),
    param: first?.field,
  });
}

/**
 * The ValidationPipe with additions in front of class-validator:
 *
 * - a fast lane: a body whose DTO is registered for it (registerFastAccept) and that passes the
 *   predicate compiled from the DTO's decorators is returned as parsed (a plain object instead
 *   of a DTO instance, same data);
 * - a preflight (preflight.ts) for every other body: sizes and nulls are checked against the
 *   DTO's own limits before any per-element work, so an oversized body costs little to refuse;
 * - long arrays of nested DTOs are validated item by item first, a slice per turn of the event
 *   loop, stopping at the first invalid item (class-validator alone reports every one);
 * - JSON values (maps, schemas) are kept out of class-transformer and reach the DTO as sent
 *   (as-sent.ts).
 *
 * Query strings and route parameters get the rules JSON bodies get from the body parser
 * (no NUL, no lone surrogate), so no request string of any kind can reach a store with them.
 */
export class FastLaneValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body') {
      const check = fastAcceptFor(metadata.metatype);
      if (check?.(value)) return value;
    }
    return this.validateFully(value, metadata);
  }

  /** Everything but the fast lane: what a fast check must never be looser than. */
  async validateFully(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'query' || metadata.type === 'param') {
      const root = metadata.data ?? (metadata.type === 'query' ? 'the query' : 'the path');
      const problem = findJsonProblem(value, { maxDepth: MAX_QUERY_DEPTH, root });
      if (problem) {
        throw validationFailed([{ field: problem.path || root, problems: [problem.message] }]);
      }
    }
    // Custom parameter decorators (the principal, the request) are not validated, as in Nest.
    if (
      metadata.type === 'custom' ||
      !metadata.metatype ||
      typeof value !== 'object' ||
      value === null
    ) {
      return super.transform(value, metadata);
    }
    const plan = preflight(value, metadata.metatype);
    if (plan.problems.length > 0) throw validationFailed(plan.problems);
    const release = holdBack(plan.jsonValues);
    try {
      for (const long of plan.longArrays) await this.validateItemByItem(long);
      return await super.transform(value, metadata);
    } finally {
      release();
    }
  }

  private async validateItemByItem({ field, items, dto }: LongArray): Promise<void> {
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      // Anything but an object is for class-validator's own pass to report.
      if (typeof item !== 'object' || item === null || Array.isArray(item)) continue;
      if (i > 0 && i % ITEMS_PER_TURN === 0) await yieldToEventLoop();
      const instance = plainToInstance(
        dto as ClassConstructor<object>,
        item,
        this.transformOptions,
      );
      const errors = await this.validate(instance, this.validatorOptions);
      if (errors.length > 0)
        throw validationFailed(flattenValidationErrors(errors, `${field}[${i}]`));
    }
  }
}

/**
 * Global validation: unknown fields are rejected (not silently stripped), types are checked,
 * and the first problem names its field so the 400 is actionable.
 */
export function createValidationPipe(): FastLaneValidationPipe {
  compileFastAccepts();
  return new FastLaneValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationFailed(flattenValidationErrors(errors)),
  });
}
