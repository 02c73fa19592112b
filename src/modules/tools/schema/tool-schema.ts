import Ajv, { type Options, type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import { linearRegExp } from './linear-regexp';

/**
 * Compiles a tool's `parameters` (JSON Schema of a function's arguments) into a validator.
 *
 * Every compile gets its own Ajv instance, so no schema registry is shared between tools, let
 * alone between orgs: Ajv keeps compiled schemas by `$id`, and one shared instance made a second
 * org's schema with the same `$id` (and any edited tool) fail to compile until a restart. On a
 * fresh instance nothing outside the schema can be referenced: a remote `$ref` does not resolve
 * (no loader is configured), so such a schema is refused when stored.
 *
 * Patterns run on a linear-time engine (see linear-regexp.ts). Draft-07 by default, 2020-12 when
 * the schema's `$schema` says so.
 */
export function compileToolSchema(
  schema: Record<string, unknown>,
  opts: { checkSchema: boolean },
): ValidateFunction {
  const options: Options = {
    // Providers accept extra keywords (e.g. `examples`, vendor hints): only real errors count.
    strict: false,
    // All problems at once, for the model to fix its call in one go.
    allErrors: true,
    logger: false,
    // Nothing this instance compiles is kept for other schemas to reference.
    addUsedSchema: false,
    code: { regExp: linearRegExp },
    // Checking the schema against its meta-schema costs ~15 ms per instance; it is done once,
    // when the tool is stored, not again when a stored schema is compiled for a call.
    validateSchema: opts.checkSchema,
  };
  const draft2020 = typeof schema.$schema === 'string' && schema.$schema.includes('2020-12');
  const ajv = draft2020 ? new Ajv2020(options) : new Ajv(options);
  return ajv.compile(schema);
}
