import { registerDecorator, ValidationOptions } from 'class-validator';

function define(
  name: string,
  message: string,
  test: (v: unknown) => boolean,
  options?: ValidationOptions,
) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name,
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} ${message}`, ...options },
      validator: { validate: (v: unknown) => test(v) },
    });
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isTextPart = (p: unknown) =>
  isPlainObject(p) && p.type === 'text' && typeof p.text === 'string';
const isImagePart = (p: unknown) =>
  isPlainObject(p) &&
  p.type === 'image_url' &&
  isPlainObject(p.image_url) &&
  typeof p.image_url.url === 'string' &&
  p.image_url.url.length > 0;

/** A message's content: a string, or an array of text / image_url parts (OpenAI's shape). */
export const IsMessageContent = (o?: ValidationOptions) =>
  define(
    'isMessageContent',
    'must be a string or an array of {type:"text",text} / {type:"image_url",image_url:{url}} parts',
    (v) =>
      v === null ||
      typeof v === 'string' ||
      (Array.isArray(v) && v.every((p) => isTextPart(p) || isImagePart(p))),
    o,
  );

// The predicates are exported too, for the fast lane of the validation pipe (fast-accept.ts):
// one definition of each rule, so the two paths cannot drift apart.

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
      (isPlainObject(v) &&
        v.type === 'function' &&
        isPlainObject(v.function) &&
        typeof v.function.name === 'string'),
    o,
  );

/** `response_format` on the OpenAI route: text | json_object | json_schema with a name. */
export const IsOpenAiResponseFormat = (o?: ValidationOptions) =>
  define(
    'isOpenAiResponseFormat',
    'must be {"type":"text"}, {"type":"json_object"} or {"type":"json_schema","json_schema":{"name":...,"schema":{...}}}',
    (v) =>
      isPlainObject(v) &&
      (v.type === 'text' ||
        v.type === 'json_object' ||
        (v.type === 'json_schema' &&
          isPlainObject(v.json_schema) &&
          typeof v.json_schema.name === 'string')),
    o,
  );

/** `cache` on the agent route: false, or {ttl: seconds}. */
export const isCacheOptionValue = (v: unknown): boolean =>
  v === false ||
  v === true ||
  (isPlainObject(v) &&
    Object.keys(v).every((k) => k === 'ttl') &&
    Number.isInteger(v.ttl) &&
    (v.ttl as number) >= 0 &&
    (v.ttl as number) <= 2592000);

export const IsCacheOption = (o?: ValidationOptions) =>
  define('isCacheOption', 'must be false or {"ttl": <seconds, 0..2592000>}', isCacheOptionValue, o);

/** A flat map of template variables: string, number or boolean values. */
export const isVariablesValue = (v: unknown): boolean =>
  isPlainObject(v) &&
  Object.values(v).every(
    (x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean',
  );

export const IsVariables = (o?: ValidationOptions) =>
  define(
    'isVariables',
    'must be an object of string, number or boolean values',
    isVariablesValue,
    o,
  );

/** A flat map of string header values. */
export const IsStringMap = (o?: ValidationOptions) =>
  define(
    'isStringMap',
    'must be an object of string values',
    (v) => isPlainObject(v) && Object.values(v).every((x) => typeof x === 'string'),
    o,
  );

export const IsPlainObject = (o?: ValidationOptions) =>
  define('isPlainObject', 'must be a JSON object', (v) => isPlainObject(v), o);
