import {
  registerDecorator,
  ValidationOptions,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { AsSent } from './as-sent';
import { MAX_KEYS, markJsonValueValidator } from './preflight';
import { isRecord } from './is-record';
import { markPlainPredicate } from './fast-accept.compiler';

/**
 * A validator of a JSON value (a map, a union of shapes): the value is kept as sent and out
 * of class-transformer (as-sent.ts), and `test` sees exactly what the client sent. `test` is
 * all class-validator runs, so the fast lane (fast-accept.compiler.ts) calls it too.
 */
export function defineJsonValidator(
  name: string,
  message: string,
  test: (v: unknown) => boolean,
  options?: ValidationOptions,
) {
  markJsonValueValidator(name);
  return (object: object, propertyName: string) => {
    AsSent()(object, propertyName);
    // One constraint class per use, as registerDecorator would make, so that this one is
    // known to run `test` alone.
    const constraint = class implements ValidatorConstraintInterface {
      validate(v: unknown): boolean {
        return test(v);
      }
    };
    ValidatorConstraint({ name, async: false })(constraint);
    markPlainPredicate(constraint, test);
    registerDecorator({
      name,
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} ${message}`, ...options },
      validator: constraint,
    });
  };
}

const define = defineJsonValidator;

const isTextPart = (p: unknown) => isRecord(p) && p.type === 'text' && typeof p.text === 'string';
const isImagePart = (p: unknown) =>
  isRecord(p) &&
  p.type === 'image_url' &&
  isRecord(p.image_url) &&
  typeof p.image_url.url === 'string' &&
  p.image_url.url.length > 0;

/** Content parts one message may have. */
export const MAX_CONTENT_PARTS = 256;

/** A message's content: a string, or an array of text / image_url parts (OpenAI's shape). */
export const IsMessageContent = (o?: ValidationOptions) =>
  define(
    'isMessageContent',
    `must be a string or an array of at most ${MAX_CONTENT_PARTS} {type:"text",text} / {type:"image_url",image_url:{url}} parts`,
    (v) =>
      v === null ||
      typeof v === 'string' ||
      (Array.isArray(v) &&
        v.length <= MAX_CONTENT_PARTS &&
        v.every((p) => isTextPart(p) || isImagePart(p))),
    o,
  );

/** `stop`: a string or up to 4 strings. */
export const isStopValue = (v: unknown): boolean =>
  typeof v === 'string' ||
  (Array.isArray(v) && v.length <= 4 && v.every((s) => typeof s === 'string'));

export const IsStop = (o?: ValidationOptions) =>
  define('isStop', 'must be a string or an array of at most 4 strings', isStopValue, o);

/** `tool_choice`: none | auto | required | {type:"function",function:{name}}. */
export const IsToolChoice = (o?: ValidationOptions) =>
  define(
    'isToolChoice',
    'must be "none", "auto", "required" or {"type":"function","function":{"name":"..."}}',
    (v) =>
      v === 'none' ||
      v === 'auto' ||
      v === 'required' ||
      (isRecord(v) &&
        v.type === 'function' &&
        isRecord(v.function) &&
        typeof v.function.name === 'string'),
    o,
  );

/** `response_format` on the OpenAI route: text | json_object | json_schema with a name. */
export const IsOpenAiResponseFormat = (o?: ValidationOptions) =>
  define(
    'isOpenAiResponseFormat',
    'must be {"type":"text"}, {"type":"json_object"} or {"type":"json_schema","json_schema":{"name":...,"schema":{...}}}',
    (v) =>
      isRecord(v) &&
      (v.type === 'text' ||
        v.type === 'json_object' ||
        (v.type === 'json_schema' &&
          isRecord(v.json_schema) &&
          typeof v.json_schema.name === 'string')),
    o,
  );

/** `cache` on the agent route: false, or {ttl: seconds}. */
export const isCacheOptionValue = (v: unknown): boolean =>
  v === false ||
  v === true ||
  (isRecord(v) &&
    Object.keys(v).every((k) => k === 'ttl') &&
    Number.isInteger(v.ttl) &&
    (v.ttl as number) >= 0 &&
    (v.ttl as number) <= 2592000);

export const IsCacheOption = (o?: ValidationOptions) =>
  define('isCacheOption', 'must be false or {"ttl": <seconds, 0..2592000>}', isCacheOptionValue, o);

/**
 * Keys Object.prototype already has (`toString`, `constructor`, `__proto__`, ...): as a key of
 * a map the code reads with `map[key]`, each one finds the inherited member when absent.
 */
export const isPrototypeName = (key: string): boolean => key in Object.prototype;

/** Template variables a request may pass. */
export const MAX_VARIABLES = 256;

/**
 * A flat map of template variables: at most MAX_VARIABLES string, number or boolean values,
 * named with anything but an Object.prototype member.
 */
export const isVariablesValue = (v: unknown): boolean => {
  if (!isRecord(v)) return false;
  let n = 0;
  for (const key in v) {
    const x = v[key];
    if (++n > MAX_VARIABLES || isPrototypeName(key)) return false;
    if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean') return false;
  }
  return true;
};

export const IsVariables = (o?: ValidationOptions) =>
  define(
    'isVariables',
    `must be an object of at most ${MAX_VARIABLES} string, number or boolean values (not named like an Object.prototype member)`,
    isVariablesValue,
    o,
  );

/** Model parameters one configuration may set. */
export const MAX_CONFIGURATION_KEYS = 64;

/**
 * Model parameters (`configuration`): a JSON object of at most MAX_CONFIGURATION_KEYS keys,
 * none an Object.prototype member name (`toString`, `constructor`, ...), which the catalog's
 * parameter lookup would otherwise find on every object.
 */
export const isConfigurationValue = (v: unknown): boolean => {
  if (!isRecord(v)) return false;
  let n = 0;
  for (const key in v) if (++n > MAX_CONFIGURATION_KEYS || isPrototypeName(key)) return false;
  return true;
};

export const IsConfiguration = (o?: ValidationOptions) =>
  define(
    'isConfiguration',
    `must be a JSON object of at most ${MAX_CONFIGURATION_KEYS} model parameters (names like toString or constructor are not parameters)`,
    isConfigurationValue,
    o,
  );

/** RFC 9110 token characters: what a header name may be made of. */
export const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/;
/** Longest header value accepted. */
export const MAX_HEADER_VALUE = 8192;

/** A header value that cannot split or end the header block: no CR, LF or NUL. */
export const isHeaderValue = (v: unknown): v is string =>
  typeof v === 'string' && v.length <= MAX_HEADER_VALUE && !/[\r\n\0]/.test(v);

/** A map of at most `max` headers: valid names, string values without line breaks. */
export const isHeaderMap = (v: unknown, max: number): v is Record<string, string> => {
  if (!isRecord(v)) return false;
  let n = 0;
  for (const name in v) {
    if (++n > max || !HEADER_NAME.test(name) || !isHeaderValue(v[name])) return false;
  }
  return true;
};

/** Extra request headers a caller sets on a delivery (webhooks). */
export const MAX_EXTRA_HEADERS = 32;

export const IsHeaderMap = (o?: ValidationOptions) =>
  define(
    'isHeaderMap',
    `must be an object of at most ${MAX_EXTRA_HEADERS} headers: names of letters, digits and !#$%&'*+.^_\`|~- and string values of at most ${MAX_HEADER_VALUE} characters without line breaks`,
    (v) => isHeaderMap(v, MAX_EXTRA_HEADERS),
    o,
  );

/**
 * A JSON object of at most `max` keys. Checked with the other size limits (preflight.ts)
 * before any per-element validation; here for class-validator's own pass.
 */
export const MaxKeys =
  (max: number, o?: ValidationOptions) => (object: object, propertyName: string) =>
    registerDecorator({
      name: MAX_KEYS,
      target: object.constructor,
      propertyName,
      constraints: [max],
      options: { message: `${propertyName} must have at most ${max} keys`, ...o },
      validator: {
        validate: (v: unknown) => !isRecord(v) || Object.keys(v).length <= max,
      },
    });

export const IsPlainObject = (o?: ValidationOptions) =>
  define('isRecord', 'must be a JSON object', (v) => isRecord(v), o);
