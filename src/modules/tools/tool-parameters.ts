import { compileToolSchema } from './schema/tool-schema';

/** Bound on a stored schema, so a tool definition cannot bloat every completion request. */
export const MAX_PARAMETERS_JSON_BYTES = 64 * 1024;

/**
 * Why a tool's `parameters` is not a usable JSON Schema for a function's arguments, or
 * undefined when it is. It must describe an object, as every provider requires of function
 * parameters, and compile exactly as it will when arguments are validated (draft-07, or
 * 2020-12 when it says so; patterns on the linear-time engine, so one it cannot run, such as a
 * backreference, is refused here; no remote `$ref`).
 */
export function parametersProblem(schema: Record<string, unknown>): string | undefined {
  if (Buffer.byteLength(JSON.stringify(schema), 'utf8') > MAX_PARAMETERS_JSON_BYTES) {
    return `parameters is larger than ${MAX_PARAMETERS_JSON_BYTES} bytes`;
  }
  if (schema.type !== 'object') {
    return 'parameters must be a JSON Schema with "type": "object"';
  }
  try {
    compileToolSchema(schema, { checkSchema: true });
    return undefined;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const hint = /RE2JS|regexp|pattern|escape|repetition|group|parenthes/i.test(message)
      ? ' (patterns run on a linear-time engine: backreferences and lookaround are not supported)'
      : '';
    return `parameters is not a valid JSON Schema: ${message.slice(0, 500)}${hint}`;
  }
}
