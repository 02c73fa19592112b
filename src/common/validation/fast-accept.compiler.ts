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
 * Everything is resolved when compiling, into flat records (a ValueRule per property: which
 * tests apply, with their bounds) that one checker reads. A closure per constraint measured
 * 3-5x slower than the hand-written predicates it replaces: the call sites that run them see
 * dozens of closures and cannot be inlined, where this checker's calls always reach the same
 * functions. A call walks the body once and allocates nothing.
 */

export type FastAccept = (body: unknown) => boolean;

/** A class, as decorators see it. */
type Dto = abstract new (...args: never[]) => unknown;
type Condition = (object: unknown, value: unknown) => boolean;
type Predicate = (v: unknown) => boolean;

/** Deeper than any DTO nests; a self-referencing DTO stops here. */
const MAX_DEPTH = 16;

/** What JSON.parse builds for an object: a literal with Object.prototype. */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

// --- plain predicates -------------------------------------------------------------------------

const plainPredicates = new WeakMap<object, Predicate>();

/**
 * Declares that class-validator runs `constraint` as `test(value)` alone (no arguments, no
 * object, synchronous): the compiler may then call `test` itself (defineJsonValidator does).
 */
export function markPlainPredicate(constraint: object, test: Predicate): void {
  plainPredicates.set(constraint, test);
}

// --- value rules: class-validator's built-in constraints as data ------------------------------

const STRING = 1 << 0;
const BOOLEAN = 1 << 1;
const FINITE = 1 << 2;
const INT = 1 << 3;
const MIN = 1 << 4;
const MAX = 1 << 5;
const MAX_LENGTH = 1 << 6;
const NOT_EMPTY = 1 << 7;
const ARRAY = 1 << 8;
const ARRAY_MIN = 1 << 9;
const ARRAY_MAX = 1 << 10;
const PATTERN = 1 << 11;
const ALLOWED = 1 << 12;
const PREDICATES = 1 << 13;

/** The tests one value must pass (all of them), each exactly class-validator's. */
interface ValueRule {
  flags: number;
  min: number;
  max: number;
  maxLength: number;
  arrayMin: number;
  arrayMax: number;
  pattern: RegExp | null;
  /** IsIn's values: a short list is scanned (faster than hashing), a long one is a Set. */
  allowed: unknown[] | null;
  allowedSet: Set<unknown> | null;
  /** class-validator's own functions where no test above is exact, and plain predicates. */
  predicates: Predicate[];
}

const newValueRule = (): ValueRule => ({
  flags: 0,
  min: -Infinity,
  max: Infinity,
  maxLength: Infinity,
  arrayMin: 0,
  arrayMax: Infinity,
  pattern: null,
  allowed: null,
  allowedSet: null,
  predicates: [],
});

function addPredicate(rule: ValueRule, p: Predicate): true {
  rule.flags |= PREDICATES;
  rule.predicates.push(p);
  return true;
}

/** Built-in constraints that only switch a test on. */
const SWITCHES: Record<string, number> = {
  isString: STRING,
  isBoolean: BOOLEAN,
  isInt: INT,
  isNotEmpty: NOT_EMPTY,
  isArray: ARRAY,
};

type Bound = 'min' | 'max' | 'maxLength' | 'arrayMin' | 'arrayMax';
/** Built-in constraints with a numeric bound: its test, where it sits, the tighter of two. */
const BOUNDS: Record<
  string,
  [flag: number, bound: Bound, tighter: (a: number, b: number) => number]
> = {
  min: [MIN, 'min', Math.max],
  max: [MAX, 'max', Math.min],
  maxLength: [MAX_LENGTH, 'maxLength', Math.min],
  arrayMinSize: [ARRAY_MIN, 'arrayMin', Math.max],
  arrayMaxSize: [ARRAY_MAX, 'arrayMax', Math.min],
};

/**
 * Adds class-validator's built-in constraint `name` (with the decorator's `constraints`) to
 * `rule`; false when the constraint, or its arguments, are not understood.
 */
function addBuiltIn(rule: ValueRule, name: string, c: unknown[]): boolean {
  const [a, b] = c;
  if (SWITCHES[name] !== undefined) {
    rule.flags |= SWITCHES[name];
    return true;
  }
  const bounded = BOUNDS[name];
  if (bounded) {
    if (typeof a !== 'number') return false;
    const [flag, bound, tighter] = bounded;
    rule.flags |= flag;
    rule[bound] = tighter(rule[bound], a);
    return true;
  }
  switch (name) {
    case 'isNumber':
      if (a === undefined || (typeof a === 'object' && a !== null && Object.keys(a).length === 0)) {
        rule.flags |= FINITE;
        return true;
      }
      return addPredicate(rule, (v) => isNumber(v, a as Parameters<typeof isNumber>[1]));
    case 'minLength':
      return typeof a === 'number' && addPredicate(rule, (v) => minLength(v, a));
    case 'isIn': {
      if (!Array.isArray(a)) return false;
      // Set.has is SameValueZero; class-validator compares with ===, which never matches NaN.
      const allowed = a.filter((x) => !Number.isNaN(x));
      if (rule.flags & ALLOWED) return addPredicate(rule, (v) => allowed.includes(v));
      rule.flags |= ALLOWED;
      if (allowed.length <= 16) rule.allowed = allowed;
      else rule.allowedSet = new Set(allowed);
      return true;
    }
    case 'matches':
      // A RegExp without g/y: test() is stateless and says what String#match says.
      if (a instanceof RegExp && !a.global && !a.sticky && !rule.pattern) {
        rule.flags |= PATTERN;
        rule.pattern = a;
        return true;
      }
      return addPredicate(rule, (v) =>
        (matches as (v: unknown, pattern: unknown, modifiers: unknown) => boolean)(v, a, b),
      );
    default:
      return false;
  }
}

/** Whether `v` passes every test of `rule`. */
function passes(rule: ValueRule, v: unknown): boolean {
  const f = rule.flags;
  if (f === 0) return true;
  if (f & STRING && typeof v !== 'string') return false;
  if (f & BOOLEAN && typeof v !== 'boolean') return false;
  if (f & FINITE && !(typeof v === 'number' && Number.isFinite(v))) return false;
  if (f & INT && !(typeof v === 'number' && Number.isInteger(v))) return false;
  if (f & MIN && !(typeof v === 'number' && v >= rule.min)) return false;
  if (f & MAX && !(typeof v === 'number' && v <= rule.max)) return false;
  // validator's isLength counts a surrogate pair (and drops a variation selector) as at most
  // one unit: never more than .length, so `.length <= max` is enough to say yes.
  if (
    f & MAX_LENGTH &&
    !(typeof v === 'string' && (v.length <= rule.maxLength || maxLength(v, rule.maxLength)))
  ) {
    return false;
  }
  if (f & NOT_EMPTY && v === '') return false;
  if (f & ARRAY && !Array.isArray(v)) return false;
  if (f & ARRAY_MIN && !(Array.isArray(v) && v.length >= rule.arrayMin)) return false;
  if (f & ARRAY_MAX && !(Array.isArray(v) && v.length <= rule.arrayMax)) return false;
  if (f & PATTERN && !(typeof v === 'string' && rule.pattern!.test(v))) return false;
  if (f & ALLOWED && !isAllowed(rule, v)) return false;
  if (f & PREDICATES) {
    const predicates = rule.predicates;
    for (let i = 0; i < predicates.length; i++) if (!predicates[i](v)) return false;
  }
  return true;
}

function isAllowed(rule: ValueRule, v: unknown): boolean {
  const list = rule.allowed;
  if (list === null) return rule.allowedSet!.has(v);
  for (let i = 0; i < list.length; i++) if (list[i] === v) return true;
  return false;
}

// --- classes and properties -------------------------------------------------------------------

interface PropertyRule {
  name: string;
  /** Every constraint is understood; otherwise a body holding the property declines. */
  understood: boolean;
  /** Has `@IsOptional()`: skipped when absent, whatever else it has. */
  optional: boolean;
  /** The `@ValidateIf()` conditions: absent and one says false = skipped. */
  conditions: Condition[];
  /** Neither optional nor conditional: absent = refused. */
  required: boolean;
  /** The value's tests, and (`each: true`) every element's. */
  value: ValueRule;
  each: ValueRule;
  /** `@ValidateNested()` + `@Type()`: the nested DTO, for one object or (`each`) an array. */
  nested: ClassPlan | null;
  nestedEach: boolean;
  /**
   * No @AsSent and no nested DTO: class-transformer copies the value, and a copy of an object
   * may differ from it (it drops keys named like Object.prototype members); primitives and
   * arrays of primitives it copies unchanged.
   */
  primitiveOnly: boolean;
  /** The visit (acceptObject call) that last saw the property present. */
  seenIn: number;
}

interface ClassPlan {
  /** Never accepted (see buildPlan). */
  declined: boolean;
  /**
   * By property name: an object in V8's fast mode (Map#get and prototype-less objects, which
   * are hash tables, measured slower), over a prototype without properties, so no name finds
   * an inherited member.
   */
  rules: Record<string, PropertyRule | undefined>;
  requiredCount: number;
  conditional: PropertyRule[];
  /**
   * The key met last at each position of a body and its rule: clients send their fields in
   * the same order, and comparing a key with the one cached there (a pointer comparison, as
   * JSON.parse interns keys) is several times faster than a lookup by name.
   */
  keyAt: Array<string | undefined>;
  ruleAt: Array<PropertyRule | undefined>;
}

const plans = new Map<Dto, ClassPlan>();
const NO_PROPERTIES = Object.freeze(Object.create(null) as object);

/** Nested DTO objects the current call may still look at (the preflight's budget). */
let nestedLeft = 0;
/** Numbers acceptObject calls, so that a rule can say it was seen without a per-call set. */
let visits = 0;

/** The fast-accept predicate of `dto`, compiled once per class. */
export function compileFastAccept(dto: Dto): FastAccept {
  const plan = planFor(dto);
  return (body) => {
    nestedLeft = MAX_NESTED_OBJECTS;
    return acceptObject(plan, body, 0);
  };
}

function acceptObject(plan: ClassPlan, obj: unknown, depth: number): boolean {
  if (plan.declined || !isJsonObject(obj) || depth > MAX_DEPTH) return false;
  const visit = ++visits;
  const rules = plan.rules;
  const keyAt = plan.keyAt;
  const ruleAt = plan.ruleAt;
  let required = 0;
  let at = 0;
  for (const key in obj) {
    // More keys than the DTO has properties: one is unknown.
    if (at === keyAt.length) return false;
    let rule: PropertyRule | undefined;
    if (keyAt[at] === key) {
      rule = ruleAt[at];
    } else {
      rule = rules[key];
      keyAt[at] = key;
      ruleAt[at] = rule;
    }
    at++;
    if (rule === undefined || !rule.understood) return false;
    const v = obj[key];
    if (v === null || v === undefined || !acceptValue(rule, v, depth)) return false;
    if (rule.required) required++;
    rule.seenIn = visit;
  }
  if (required !== plan.requiredCount) return false;
  const conditional = plan.conditional;
  for (let i = 0; i < conditional.length; i++) {
    const rule = conditional[i];
    if (rule.seenIn !== visit && !skippedWhenAbsent(rule, obj)) return false;
  }
  return true;
}

/**
 * A present, non-null value. Its constraints are tested even where a `@ValidateIf` would skip
 * them: stricter, never looser.
 */
function acceptValue(rule: PropertyRule, v: unknown, depth: number): boolean {
  if (!passes(rule.value, v)) return false;
  if (rule.each.flags !== 0) {
    // class-validator tests every element of an array, and the value itself otherwise.
    if (!Array.isArray(v)) {
      if (!passes(rule.each, v)) return false;
    } else {
      for (let i = 0; i < v.length; i++) if (!passes(rule.each, v[i])) return false;
    }
  }
  if (rule.nested !== null) {
    // Stricter than class-validator, which walks any array it meets: `each` means an array of
    // objects, its absence one object.
    if (!rule.nestedEach) return !Array.isArray(v) && acceptNested(rule.nested, v, depth);
    if (!Array.isArray(v)) return false;
    for (let i = 0; i < v.length; i++) if (!acceptNested(rule.nested, v[i], depth)) return false;
    return true;
  }
  return !rule.primitiveOnly || isPrimitiveOrPrimitiveList(v);
}

function acceptNested(plan: ClassPlan, v: unknown, depth: number): boolean {
  return --nestedLeft >= 0 && acceptObject(plan, v, depth + 1);
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

function isPrimitive(v: unknown): boolean {
  const t = typeof v;
  return t === 'string' || t === 'number' || t === 'boolean';
}

function isPrimitiveOrPrimitiveList(v: unknown): boolean {
  if (!Array.isArray(v)) return isPrimitive(v);
  for (let i = 0; i < v.length; i++) if (!isPrimitive(v[i])) return false;
  return true;
}

// --- compiling --------------------------------------------------------------------------------

function planFor(cls: Dto): ClassPlan {
  const known = plans.get(cls);
  if (known) return known;
  // Placed first, so that a DTO nesting itself finds it (filled in below).
  const plan: ClassPlan = {
    declined: true,
    rules: Object.create(NO_PROPERTIES) as ClassPlan['rules'],
    requiredCount: 0,
    conditional: [],
    keyAt: [],
    ruleAt: [],
  };
  plans.set(cls, plan);
  buildPlan(cls, plan);
  return plan;
}

function buildPlan(cls: Dto, plan: ClassPlan): void {
  // No groups and `always: false`: what the ValidationPipe's validate() reads.
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(cls, '', false, false);
  // forbidUnknownValues refuses an object of a class without metadata.
  if (metadatas.length === 0) return;
  if (
    transformerMetadata.getExposedMetadatas(cls).length > 0 ||
    transformerMetadata.getExcludedMetadatas(cls).length > 0
  ) {
    return;
  }
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const m of metadatas) {
    const list = byProperty.get(m.propertyName) ?? [];
    list.push(m);
    byProperty.set(m.propertyName, list);
  }
  if (!hasPlainInstances(cls, byProperty)) return;
  for (const [name, metas] of byProperty) {
    if (name in Object.prototype) return;
    const rule = propertyRule(cls, name, metas);
    plan.rules[name] = rule;
    if (rule.required) plan.requiredCount++;
    else if (!rule.optional) plan.conditional.push(rule);
  }
  plan.keyAt = new Array<string | undefined>(byProperty.size).fill(undefined);
  plan.ruleAt = new Array<PropertyRule | undefined>(byProperty.size).fill(undefined);
  plan.declined = false;
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

function propertyRule(cls: Dto, name: string, metas: ValidationMetadata[]): PropertyRule {
  const rule: PropertyRule = {
    name,
    understood: true,
    optional: false,
    conditions: [],
    required: false,
    value: newValueRule(),
    each: newValueRule(),
    nested: null,
    nestedEach: false,
    primitiveOnly: false,
    seenIn: 0,
  };
  for (const m of metas) {
    switch (m.type) {
      case ValidationTypes.CONDITIONAL_VALIDATION:
        if (m.name === 'isOptional') rule.optional = true;
        else rule.conditions.push(m.constraints[0] as Condition);
        break;
      case ValidationTypes.WHITELIST: // @Allow(): declares the property, checks nothing
      case ValidationTypes.IS_DEFINED: // present values are never null or undefined here
        break;
      case ValidationTypes.NESTED_VALIDATION:
        rule.nested = nestedPlan(cls, name);
        rule.nestedEach = m.each === true;
        if (!rule.nested) rule.understood = false;
        break;
      case ValidationTypes.CUSTOM_VALIDATION:
        // A per-constraint `validateIf` is ignored: testing anyway is stricter.
        if (!addConstraint(m.each ? rule.each : rule.value, m)) rule.understood = false;
        break;
      default:
        rule.understood = false;
    }
  }
  rule.required = !rule.optional && rule.conditions.length === 0;
  const asSent = transformsOf(cls, name);
  if (asSent === undefined) rule.understood = false;
  rule.primitiveOnly = !asSent && !rule.nested;
  return rule;
}

function addConstraint(rule: ValueRule, m: ValidationMetadata): boolean {
  const constraints = getMetadataStorage().getTargetValidatorConstraints(m.constraintCls);
  if (constraints.length !== 1 || constraints[0].async) return false;
  const plain = plainPredicates.get(m.constraintCls);
  if (plain) return addPredicate(rule, plain);
  return addBuiltIn(rule, constraints[0].name, Array.isArray(m.constraints) ? m.constraints : []);
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

/** The DTO of a plain `@Type(() => Dto)`, or null. */
function nestedPlan(cls: Dto, name: string): ClassPlan | null {
  const type = transformerMetadata.findTypeMetadata(cls, name);
  if (!type || type.options?.discriminator) return null;
  let target: unknown;
  try {
    target = type.typeFunction();
  } catch {
    return null;
  }
  return typeof target === 'function' ? planFor(target as Dto) : null;
}
