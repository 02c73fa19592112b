import {
  getMetadataStorage,
  matches,
  maxLength,
  minLength,
  isNumber,
  ValidationTypes,
} from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { TransformationType } from 'class-transformer';
import { isAsSentTransform } from './as-sent';
import { MAX_NESTED_OBJECTS } from './preflight';
import { transformerMetadata } from './transformer-metadata';

/**
 * Builds a DTO's fast-accept predicate from the metadata its decorators left (class-validator's
 * storage, class-transformer's `@Type`), so the decorators are the only statement of the rules.
 *
 * The predicate is accept-only: `true` means the full path (preflight, class-transformer,
 * class-validator with the pipe's options: whitelist + forbidNonWhitelisted +
 * forbidUnknownValues, no groups) would accept the body and hand on the same data; `false`
 * means "ask the full path", which then answers with its exact messages. So every doubt
 * declines:
 *
 * - a property with a constraint this file does not know, present in the body;
 * - a key the DTO does not declare, `null` anywhere a property sits, a non-JSON object;
 * - a property whose conditions (`@ValidateIf`) ask for it, absent from the body;
 * - an object or nested array in a property class-transformer would copy (neither `@AsSent`
 *   nor a nested DTO): the copy may differ from what was sent;
 * - DTO classes with field defaults, undecorated fields, class-level `@Expose`/`@Exclude`,
 *   or a property named like an Object.prototype member;
 * - more nested DTO objects than the preflight allows, or nesting deeper than MAX_DEPTH.
 *
 * A present property's constraints are checked even where a `@ValidateIf` would skip them:
 * stricter, never looser. Absent properties evaluate the DTO's own conditions on the parsed
 * body, which holds the same field values the DTO instance would (conditions read fields by
 * value, as every `@ValidateIf` here does).
 *
 * Everything is resolved when compiling; a call walks the body once, through closures, and
 * allocates nothing of its own.
 */

export type FastAccept = (body: unknown) => boolean;

/** A class, as decorators see it. */
type Dto = abstract new (...args: never[]) => unknown;
/** A check of one present, non-null value; `depth` is the nesting of its owner. */
type ValueCheck = (v: unknown, depth: number) => boolean;
type Condition = (object: unknown, value: unknown) => boolean;

/** Deeper than any DTO nests; a self-referencing DTO stops here. */
const MAX_DEPTH = 16;

const DECLINE = (): boolean => false;

/** What JSON.parse builds for an object: a literal with Object.prototype. */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

// --- plain predicates -------------------------------------------------------------------------

const plainPredicates = new WeakMap<object, (v: unknown) => boolean>();

/**
 * Declares that class-validator runs `constraint` as `test(value)` alone (no arguments, no
 * object, synchronous): the compiler may then call `test` itself (defineJsonValidator does).
 */
export function markPlainPredicate(constraint: object, test: (v: unknown) => boolean): void {
  plainPredicates.set(constraint, test);
}

// --- class-validator's built-in constraints ---------------------------------------------------

/**
 * The constraints understood, by class-validator's constraint name: each builds a check of one
 * value from the decorator's `constraints`, exactly class-validator's (its own functions where
 * a shorter test would not be exact), or undefined when the arguments are unusual.
 */
const BUILT_INS: Record<string, (c: unknown[]) => ((v: unknown) => boolean) | undefined> = {
  isString: () => (v) => typeof v === 'string',
  isBoolean: () => (v) => typeof v === 'boolean',
  isInt: () => (v) => typeof v === 'number' && Number.isInteger(v),
  isNumber: ([options]) =>
    options === undefined || (isPlainOptions(options) && Object.keys(options).length === 0)
      ? (v) => typeof v === 'number' && Number.isFinite(v)
      : (v) => isNumber(v, options as Parameters<typeof isNumber>[1]),
  min: ([min]) => (typeof min === 'number' ? (v) => typeof v === 'number' && v >= min : undefined),
  max: ([max]) => (typeof max === 'number' ? (v) => typeof v === 'number' && v <= max : undefined),
  // validator's isLength counts a surrogate pair (and drops a variation selector) as at most
  // one unit: never more than .length, so `.length <= max` is enough to say yes.
  maxLength: ([max]) =>
    typeof max === 'number'
      ? (v) => typeof v === 'string' && (v.length <= max || maxLength(v, max))
      : undefined,
  minLength: ([min]) => (typeof min === 'number' ? (v) => minLength(v, min) : undefined),
  isNotEmpty: () => (v) => v !== '',
  isArray: () => (v) => Array.isArray(v),
  arrayMinSize: ([min]) =>
    typeof min === 'number' ? (v) => Array.isArray(v) && v.length >= min : undefined,
  arrayMaxSize: ([max]) =>
    typeof max === 'number' ? (v) => Array.isArray(v) && v.length <= max : undefined,
  isIn: ([values]) => {
    if (!Array.isArray(values)) return undefined;
    // Set.has is SameValueZero; class-validator compares with ===, which never matches NaN.
    const allowed = new Set(values.filter((x) => !Number.isNaN(x)));
    return (v) => allowed.has(v);
  },
  matches: ([pattern, modifiers]) => {
    // A RegExp without g/y: test() is stateless and says what String#match says.
    if (pattern instanceof RegExp && !pattern.global && !pattern.sticky) {
      return (v) => typeof v === 'string' && pattern.test(v);
    }
    const exact = matches as (v: unknown, pattern: unknown, modifiers: unknown) => boolean;
    return (v) => exact(v, pattern, modifiers);
  },
};

function isPlainOptions(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

// --- compiling --------------------------------------------------------------------------------

interface PropertyRule {
  name: string;
  /** The check of a present non-null value, or null: some constraint is not understood. */
  present: ValueCheck | null;
  /** Has `@IsOptional()`: skipped when absent, whatever else it has. */
  optional: boolean;
  /** The `@ValidateIf()` conditions: absent and one says false = skipped. */
  conditions: Condition[];
}

interface ClassPlan {
  accept: (obj: unknown, depth: number) => boolean;
}

const plans = new Map<Dto, ClassPlan>();

/** Nested DTO objects the current call may still look at (the preflight's budget). */
let nestedLeft = 0;

/** The fast-accept predicate of `dto`, compiled once per class. */
export function compileFastAccept(dto: Dto): FastAccept {
  const plan = planFor(dto);
  return (body) => {
    nestedLeft = MAX_NESTED_OBJECTS;
    return plan.accept(body, 0);
  };
}

function planFor(cls: Dto): ClassPlan {
  const known = plans.get(cls);
  if (known) return known;
  // Placed first, so that a DTO nesting itself finds it (filled in below).
  const plan: ClassPlan = { accept: DECLINE };
  plans.set(cls, plan);
  plan.accept = buildClassCheck(cls);
  return plan;
}

function buildClassCheck(cls: Dto): ClassPlan['accept'] {
  // No groups and `always: false`: what the ValidationPipe's validate() reads.
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(cls, '', false, false);
  // forbidUnknownValues refuses an object of a class without metadata.
  if (metadatas.length === 0) return DECLINE;
  if (
    transformerMetadata.getExposedMetadatas(cls).length > 0 ||
    transformerMetadata.getExcludedMetadatas(cls).length > 0
  ) {
    return DECLINE;
  }
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const m of metadatas) {
    const list = byProperty.get(m.propertyName) ?? [];
    list.push(m);
    byProperty.set(m.propertyName, list);
  }
  if (!hasPlainInstances(cls, byProperty)) return DECLINE;

  const rules = new Map<string, PropertyRule>();
  for (const [name, metas] of byProperty) {
    if (name in Object.prototype) return DECLINE;
    rules.set(name, propertyRule(cls, name, metas));
  }
  const required = [...rules.values()].filter((r) => !r.optional);

  return (obj, depth) => {
    if (!isJsonObject(obj) || depth > MAX_DEPTH) return false;
    for (const key in obj) {
      const rule = rules.get(key);
      if (rule === undefined || rule.present === null) return false;
      const v = obj[key];
      if (v === null || v === undefined || !rule.present(v, depth)) return false;
    }
    for (let i = 0; i < required.length; i++) {
      const rule = required[i];
      if (obj[rule.name] === undefined && !skippedWhenAbsent(rule, obj)) return false;
    }
    return true;
  };
}

/**
 * class-transformer builds `new cls()` and copies the body onto it: a field default would add
 * a value the body lacks, and an undecorated field is refused by the whitelist even when absent.
 */
function hasPlainInstances(cls: Dto, byProperty: Map<string, unknown>): boolean {
  let instance: object;
  try {
    instance = new (cls as unknown as new () => object)();
  } catch {
    return false;
  }
  for (const [key, value] of Object.entries(instance)) {
    if (value !== undefined || !byProperty.has(key)) return false;
  }
  return true;
}

/** class-validator skips an absent property when one of its conditions says false. */
function skippedWhenAbsent(rule: PropertyRule, obj: object): boolean {
  try {
    for (let i = 0; i < rule.conditions.length; i++) {
      if (!rule.conditions[i](obj, undefined)) return true;
    }
  } catch {
    // A condition that throws decides nothing: decline.
  }
  return false;
}

function propertyRule(cls: Dto, name: string, metas: ValidationMetadata[]): PropertyRule {
  const rule: PropertyRule = { name, present: null, optional: false, conditions: [] };
  const checks: ValueCheck[] = [];
  let understood = true;
  let nested = false;
  for (const m of metas) {
    switch (m.type) {
      case ValidationTypes.CONDITIONAL_VALIDATION:
        if (m.name === 'isOptional') rule.optional = true;
        else rule.conditions.push(m.constraints[0] as Condition);
        break;
      case ValidationTypes.WHITELIST: // @Allow(): declares the property, checks nothing
      case ValidationTypes.IS_DEFINED: // present values are never null or undefined here
        break;
      case ValidationTypes.NESTED_VALIDATION: {
        const check = nestedCheck(cls, name, m);
        if (check) checks.push(check);
        else understood = false;
        nested = true;
        break;
      }
      case ValidationTypes.CUSTOM_VALIDATION: {
        const check = constraintCheck(m);
        if (check) checks.push(check);
        else understood = false;
        break;
      }
      default:
        understood = false;
    }
  }
  const asSent = transformsOf(cls, name);
  if (!understood || asSent === undefined) return rule;
  // A copy made by class-transformer (no @AsSent, no nested DTO) may differ from the body for
  // objects and arrays of them; primitives and arrays of primitives it copies unchanged.
  if (!asSent && !nested) checks.push(isPrimitiveOrPrimitiveList);
  rule.present = all(checks);
  return rule;
}

/** true: kept as sent (@AsSent); false: no transform; undefined: some other transformation. */
function transformsOf(cls: Dto, name: string): boolean | undefined {
  if (
    transformerMetadata.findExposeMetadata(cls, name) ||
    transformerMetadata.findExcludeMetadata(cls, name)
  ) {
    return undefined;
  }
  const transforms = transformerMetadata.findTransformMetadatas(
    cls,
    name,
    TransformationType.PLAIN_TO_CLASS,
  );
  if (transforms.length === 0) return false;
  return transforms.every((t) => isAsSentTransform(t.transformFn)) ? true : undefined;
}

function constraintCheck(m: ValidationMetadata): ValueCheck | undefined {
  const constraints = getMetadataStorage().getTargetValidatorConstraints(m.constraintCls);
  if (constraints.length !== 1 || constraints[0].async) return undefined;
  const test =
    plainPredicates.get(m.constraintCls) ??
    BUILT_INS[constraints[0].name]?.(Array.isArray(m.constraints) ? m.constraints : []);
  if (!test) return undefined;
  // `each`: class-validator tests every element of an array, and the value itself otherwise.
  // A per-constraint `validateIf` is ignored: testing anyway is stricter.
  if (!m.each) return (v) => test(v);
  return (v) => {
    if (!Array.isArray(v)) return test(v);
    for (let i = 0; i < v.length; i++) if (!test(v[i])) return false;
    return true;
  };
}

/** `@ValidateNested()` with a plain `@Type(() => Dto)`: each object through that DTO's check. */
function nestedCheck(cls: Dto, name: string, m: ValidationMetadata): ValueCheck | undefined {
  const type = transformerMetadata.findTypeMetadata(cls, name);
  if (!type || type.options?.discriminator) return undefined;
  let target: unknown;
  try {
    target = type.typeFunction();
  } catch {
    return undefined;
  }
  if (typeof target !== 'function') return undefined;
  const plan = planFor(target as Dto);
  const one = (o: unknown, depth: number): boolean =>
    isJsonObject(o) && --nestedLeft >= 0 && plan.accept(o, depth + 1);
  // Stricter than class-validator, which walks any array it meets: `each` means an array of
  // objects, its absence one object.
  if (!m.each) return (v, depth) => !Array.isArray(v) && one(v, depth);
  return (v, depth) => {
    if (!Array.isArray(v)) return false;
    for (let i = 0; i < v.length; i++) if (!one(v[i], depth)) return false;
    return true;
  };
}

function isPrimitive(v: unknown): boolean {
  const t = typeof v;
  return t === 'string' || t === 'number' || t === 'boolean';
}

function isPrimitiveOrPrimitiveList(v: unknown): boolean {
  if (!Array.isArray(v)) return isPrimitive(v);
  for (let i = 0; i < v.length; i++) if (!isPrimitive(v[i])) return false;
  return true;
}

function all(checks: ValueCheck[]): ValueCheck {
  if (checks.length === 1) return checks[0];
  if (checks.length === 2) {
    const [a, b] = checks;
    return (v, depth) => a(v, depth) && b(v, depth);
  }
  return (v, depth) => {
    for (let i = 0; i < checks.length; i++) if (!checks[i](v, depth)) return false;
    return true;
  };
}
