import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsPlainObject } from '../../../../common/validation/validators';

/**
 * The optional fields the request formats share (sampling parameters, flags, enums, nested
 * options), each one composite decorator: its Swagger docs and its validation from one place,
 * the bounds stated once for both.
 */

type Docs = ApiPropertyOptions;
type Dto = new (...args: never[]) => unknown;

/**
 * Applies `decorators` as if written one above the other in this order: the lowest first, as
 * on a property. class-validator keeps the order it was given, and its messages follow it.
 */
const stacked = (...decorators: PropertyDecorator[]) => applyDecorators(...decorators.reverse());

/** An optional number of the type `isType` checks, in [min, max]. */
const boundedBy =
  (isType: () => PropertyDecorator) =>
  (min: number, max: number, docs: Docs = {}) =>
    stacked(
      ApiPropertyOptional({ minimum: min, maximum: max, ...docs }),
      IsOptional(),
      isType(),
      Min(min),
      Max(max),
    );

/** An optional number (finite) in [min, max]. */
export const OptionalNumberIn = boundedBy(() => IsNumber());

/** An optional integer in [min, max]. */
export const OptionalIntIn = boundedBy(() => IsInt());

/** An optional integer of at least `min`. */
export const OptionalIntFrom = (min: number, docs: Docs = {}) =>
  stacked(ApiPropertyOptional({ minimum: min, ...docs }), IsOptional(), IsInt(), Min(min));

export const OptionalBoolean = (docs: Docs = {}) =>
  stacked(ApiPropertyOptional(docs), IsOptional(), IsBoolean());

/** An optional string of at most `max` characters. */
export const OptionalStringUpTo = (max: number, docs: Docs = {}) =>
  stacked(ApiPropertyOptional(docs), IsOptional(), IsString(), MaxLength(max));

/** An optional one of `values`, documented as their enum. */
export const OptionalOneOf = (values: readonly unknown[], docs: Docs = {}) =>
  stacked(ApiPropertyOptional({ enum: values, ...docs }), IsOptional(), IsIn(values));

/** An optional object validated as `dto`. */
export const OptionalNested = (dto: Dto, docs: Docs = {}) =>
  stacked(
    ApiPropertyOptional({ type: dto, ...docs }),
    IsOptional(),
    ValidateNested(),
    Type(() => dto),
  );

/** An optional JSON object, kept as sent. */
export const OptionalPlainObject = (docs: Docs = {}) =>
  stacked(ApiPropertyOptional(docs), IsOptional(), IsPlainObject() as PropertyDecorator);

/** A required list of 1 to `maxItems` objects, each validated as `dto`. */
export const NestedList = (dto: Dto, maxItems: number) =>
  stacked(
    ApiProperty({ type: [dto], maxItems }),
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(maxItems),
    ValidateNested({ each: true }),
    Type(() => dto),
  );

/** An optional string. */
export const OptionalString = (docs: Docs = {}) =>
  stacked(ApiPropertyOptional(docs), IsOptional(), IsString());

/** A required, non-empty string of at most `max` characters. */
export const NonEmptyStringUpTo = (max: number, docs: Docs = {}) =>
  stacked(ApiProperty(docs), IsString(), IsNotEmpty(), MaxLength(max));

/** The JSON Schema the structured-output examples of every format ask for. */
export const ANSWER_SCHEMA_EXAMPLE = {
  type: 'object',
  properties: { answer: { type: 'string' } },
  required: ['answer'],
  additionalProperties: false,
};
