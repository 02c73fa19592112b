import { getMetadataStorage, maxLength } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { DECORATORS } from '@nestjs/swagger/dist/constants';
import type { HeldValue } from './as-sent';
import { transformerMetadata } from './transformer-metadata';

export interface FieldProblem {
  field: string;
  problems: string[];
}

type Dto = abstract new (...args: never[]) => unknown;

interface PropertyRule {
  name: string;
  nullable: boolean;
  /** Validated as a JSON value (defineJsonValidator): held back from class-transformer. */
  jsonValue: boolean;
  maxItems?: { max: number; message?: string };
  maxLength?: { max: number; message?: string; each: boolean };
  maxKeys?: { max: number; message?: string };
  nested?: () => unknown;
}

/** The constraint name of `@MaxKeys` (validators.ts). */
export const MAX_KEYS = 'maxKeys';

const jsonValueValidators = new Set<string>();

/** Marks a constraint name as a validator of a JSON value (see `defineJsonValidator`). */
export function markJsonValueValidator(name: string): void {
  jsonValueValidators.add(name);
}

/**
 * Arrays of nested DTOs longer than this are validated item by item first, stopping at the
 * first invalid item: class-validator reports every invalid item, at ~60 us each, and 4,096
 * invalid items held the event loop for a quarter of a second.
 */
export const ITEM_BY_ITEM_FROM = 64;
/** Deeper than any DTO nests; stops a self-referencing DTO from looping. */
const MAX_DTO_DEPTH = 16;
/** Problems reported at most; a huge invalid body gets the first ones. */
export const MAX_REPORTED_PROBLEMS = 20;
/**
 * Nested DTO objects (messages, tool calls, tools, ...) one body may hold, whatever the arrays
 * they sit in: per-array limits multiply (2,048 messages x 128 tool calls each), this does
 * not. Validating one costs ~15 us, so a body at the limit takes ~60 ms.
 */
export const MAX_NESTED_OBJECTS = 4096;

interface Walk {
  problems: FieldProblem[];
  nestedObjects: number;
  jsonValues: HeldValue[];
  longArrays: LongArray[];
}

/** A long array of nested DTOs, to validate item by item. */
export interface LongArray {
  field: string;
  items: unknown[];
  dto: Dto;
}

/** What the preflight found: problems, or what the pipe needs to validate the body well. */
export interface Preflight {
  problems: FieldProblem[];
  /** JSON values anywhere in the body, to keep out of class-transformer (as-sent.ts). */
  jsonValues: HeldValue[];
  /** Arrays of nested DTOs longer than ITEM_BY_ITEM_FROM. */
  longArrays: LongArray[];
}

const plans = new WeakMap<object, PropertyRule[]>();

function planFor(dto: Dto): PropertyRule[] {
  const known = plans.get(dto);
  if (known) return known;
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const m of getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false)) {
    const list = byProperty.get(m.propertyName) ?? [];
    list.push(m);
    byProperty.set(m.propertyName, list);
  }
  const rules: PropertyRule[] = [];
  for (const [name, metas] of byProperty) {
    const docs = Reflect.getMetadata(
      DECORATORS.API_MODEL_PROPERTIES,
      dto.prototype as object,
      name,
    ) as { nullable?: boolean } | undefined;
    const rule: PropertyRule = {
      name,
      nullable: docs?.nullable === true,
      jsonValue: metas.some((m) => m.name !== undefined && jsonValueValidators.has(m.name)),
    };
    for (const m of metas) {
      const message = typeof m.message === 'string' ? m.message : undefined;
      const max = Array.isArray(m.constraints) ? Number(m.constraints[0]) : NaN;
      if (m.name === 'arrayMaxSize' && !m.each) rule.maxItems = { max, message };
      else if (m.name === 'maxLength') rule.maxLength = { max, message, each: m.each === true };
      else if (m.name === MAX_KEYS && !m.each) rule.maxKeys = { max, message };
    }
    const type = transformerMetadata.findTypeMetadata(dto, name);
    if (type?.typeFunction) rule.nested = () => type.typeFunction();
    rules.push(rule);
  }
  plans.set(dto, rules);
  return rules;
}

/**
 * Checks a body's sizes and nulls against its DTO before class-transformer and class-validator
 * touch it. Those two build an instance per nested element and run every decorator of every
 * property, with no short cut: a 100,000-element `tool_ids` went through `@ArrayUnique`
 * (quadratic) although `@ArrayMaxSize(64)` had already failed, and blocked the process for
 * 11-27 s. Here the limits the DTO already declares (`@ArrayMaxSize`, `@MaxLength`,
 * `@MaxKeys`) are checked first, in time proportional to the limits, not to the input.
 *
 * The same pass refuses `null` on a property that is not documented as nullable
 * (`@ApiProperty({ nullable: true })`): `@IsOptional()` lets null through, and a PATCH with
 * `"prompt": null` reached a NOT NULL column. The API docs are the contract, so they decide.
 *
 * At most MAX_REPORTED_PROBLEMS problems are reported.
 */
export function preflight(value: unknown, dto: Dto): Preflight {
  const walk: Walk = { problems: [], nestedObjects: 0, jsonValues: [], longArrays: [] };
  check(value, dto, '', 0, walk);
  return walk;
}

/** False once the walk must stop (too many problems, or the nested-object budget is spent). */
function check(value: unknown, dto: Dto, parent: string, depth: number, walk: Walk): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return true;
  if (depth > MAX_DTO_DEPTH) return true;
  if (depth > 0 && ++walk.nestedObjects > MAX_NESTED_OBJECTS) {
    walk.problems.push({
      field: parent,
      problems: [`the request holds more than ${MAX_NESTED_OBJECTS} nested objects`],
    });
    return false;
  }
  const out = walk.problems;
  const obj = value as Record<string, unknown>;
  for (const rule of planFor(dto)) {
    if (out.length >= MAX_REPORTED_PROBLEMS) return false;
    if (!Object.prototype.hasOwnProperty.call(obj, rule.name)) continue;
    const v = obj[rule.name];
    const field = parent === '' ? rule.name : `${parent}.${rule.name}`;
    const problem = propertyProblem(rule, v);
    if (problem) {
      out.push({ field, problems: [problem.replace(/\$property/g, rule.name)] });
      continue;
    }
    if (rule.jsonValue && typeof v === 'object' && v !== null) {
      walk.jsonValues.push({ owner: obj, key: rule.name });
    }
    if (rule.nested && typeof v === 'object' && v !== null) {
      const nested = rule.nested() as Dto;
      if (Array.isArray(v)) {
        if (v.length > ITEM_BY_ITEM_FROM) walk.longArrays.push({ field, items: v, dto: nested });
        for (let i = 0; i < v.length; i++) {
          if (!check(v[i], nested, `${field}[${i}]`, depth + 1, walk)) return false;
        }
      } else if (!check(v, nested, field, depth + 1, walk)) {
        return false;
      }
    }
  }
  return true;
}

function propertyProblem(rule: PropertyRule, v: unknown): string | undefined {
  if (v === null) return rule.nullable ? undefined : `${rule.name} must not be null`;
  const { maxItems, maxLength: len, maxKeys } = rule;
  if (maxItems && Array.isArray(v) && v.length > maxItems.max) {
    return maxItems.message ?? `${rule.name} must contain no more than ${maxItems.max} elements`;
  }
  if (len) {
    const tooLong = (s: unknown) => typeof s === 'string' && !maxLength(s, len.max);
    const bad = len.each ? Array.isArray(v) && v.some(tooLong) : tooLong(v);
    if (bad) {
      return (
        len.message ??
        `${len.each ? 'each value in ' : ''}${rule.name} must be shorter than or equal to ${len.max} characters`
      );
    }
  }
  if (maxKeys && typeof v === 'object' && !Array.isArray(v) && hasMoreKeys(v, maxKeys.max)) {
    return maxKeys.message ?? `${rule.name} must have at most ${maxKeys.max} keys`;
  }
  return undefined;
}

/** Counts no further than needed. */
function hasMoreKeys(obj: object, max: number): boolean {
  let n = 0;
  for (const _key in obj) if (++n > max) return true;
  return false;
}
