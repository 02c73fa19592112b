import type { ValidationOptions } from 'class-validator';
import { defineJsonValidator, isHeaderMap } from '../../../common/validation/validators';

export const MAX_TOOL_HEADERS = 32;
/** Set by the executor itself; a tool may not override them. */
const RESERVED = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);

function isToolHeaders(v: unknown): boolean {
  return (
    isHeaderMap(v, MAX_TOOL_HEADERS) &&
    Object.keys(v).every((name) => !RESERVED.has(name.toLowerCase()))
  );
}

/** Extra request headers of a tool: valid names, string values without line breaks. */
export const IsToolHeaders = (options?: ValidationOptions) =>
  defineJsonValidator(
    'isToolHeaders',
    `must be an object of at most ${MAX_TOOL_HEADERS} headers: valid header names (not Host, Content-Length, Transfer-Encoding, Connection) with string values without line breaks`,
    isToolHeaders,
    options,
  );
