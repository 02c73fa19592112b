import Ajv, { type ValidateFunction } from 'ajv';
import type { ExecutableTool } from './executable-tool';

/**
 * Validates a model's tool arguments against the tool's JSON Schema before anything is sent.
 * Compiled validators are cached per tool version: compiling is far costlier than validating.
 */
export class ArgumentValidator {
  private readonly ajv = new Ajv({ allErrors: true, strict: false });
  private readonly compiled = new Map<string, ValidateFunction>();

  /** Parsed arguments, or a message explaining what is wrong (for the model to fix). */
  check(
    tool: ExecutableTool,
    rawArguments: string,
  ): { ok: true; args: unknown } | { ok: false; message: string } {
    let args: unknown;
    try {
      args = rawArguments.trim() === '' ? {} : JSON.parse(rawArguments);
    } catch {
      return { ok: false, message: `arguments are not valid JSON: ${truncate(rawArguments, 200)}` };
    }
    if (!tool.parameters) return { ok: true, args };
    const validate = this.validatorFor(tool);
    if (validate(args)) return { ok: true, args };
    const problems = (validate.errors ?? []).map(
      (e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`,
    );
    return { ok: false, message: `arguments do not match the schema: ${problems.join('; ')}` };
  }

  private validatorFor(tool: ExecutableTool): ValidateFunction {
    const key = `${tool.id}:${tool.version ?? ''}`;
    let fn = this.compiled.get(key);
    if (!fn) {
      fn = this.ajv.compile(tool.parameters ?? {});
      this.compiled.set(key, fn);
      if (this.compiled.size > 5000)
        this.compiled.delete(this.compiled.keys().next().value as string);
    }
    return fn;
  }
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
