import { registerDecorator, ValidationOptions } from 'class-validator';

export const MAX_TOOL_HEADERS = 32;
/** RFC 9110 token characters. */
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/;
/** Set by the executor itself; a tool may not override them. */
const RESERVED = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);

function isToolHeaders(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const entries = Object.entries(v);
  return (
    entries.length <= MAX_TOOL_HEADERS &&
    entries.every(
      ([name, value]) =>
        HEADER_NAME.test(name) &&
        !RESERVED.has(name.toLowerCase()) &&
        typeof value === 'string' &&
        value.length <= 8192 &&
        !/[\r\n\0]/.test(value),
    )
  );
}

/** Extra request headers of a tool: valid names, string values without line breaks. */
export const IsToolHeaders = (options?: ValidationOptions) => (object: object, property: string) =>
  registerDecorator({
    name: 'isToolHeaders',
    target: object.constructor,
    propertyName: property,
    options: {
      message: `${property} must be an object of at most ${MAX_TOOL_HEADERS} headers: valid header names (not Host, Content-Length, Transfer-Encoding, Connection) with string values without line breaks`,
      ...options,
    },
    validator: { validate: isToolHeaders },
  });
