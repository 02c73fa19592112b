import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020';

/** Bound on a stored schema, so a tool definition cannot bloat every completion request. */
export const MAX_PARAMETERS_JSON_BYTES = 64 * 1024;

const OPTIONS = {
  // Providers accept extra keywords (e.g. `examples`, vendor hints): only real errors count.
  strict: false,
  // Formats are checked when arguments are validated, not when the schema is stored.
  validateFormats: false,
  allErrors: false,
  logger: false as const,
};

/**
 * Why a tool's `parameters` is not a usable JSON Schema for a function's arguments, or
 * undefined when it is. It must compile (draft-07, or 2020-12 when it says so) and describe
 * an object, as every provider requires of function parameters.
 */
export function parametersProblem(schema: Record<string, unknown>): string | undefined {
  if (Buffer.byteLength(JSON.stringify(schema), 'utf8') > MAX_PARAMETERS_JSON_BYTES) {
    return `parameters is larger than ${MAX_PARAMETERS_JSON_BYTES} bytes`;
  }
  if (schema.type !== 'object') {
    return 'parameters must be a JSON Schema with "type": "object"';
  }
  const draft2020 = typeof schema.$schema === 'string' && schema.$schema.includes('2020-12');
  // A fresh instance per check: compiled schemas are cached by $id and would clash or pile up.
  const ajv = draft2020 ? new Ajv2020(OPTIONS) : new Ajv(OPTIONS);
  try {
    ajv.compile(schema);
    return undefined;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return `parameters is not a valid JSON Schema: ${message.slice(0, 500)}`;
  }
}
