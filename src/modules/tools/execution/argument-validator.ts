import type { ValidateFunction } from 'ajv';
import { compileToolSchema } from '../schema/tool-schema';
import type { ExecutableTool } from './executable-tool';

/** Compiled validators kept; a tool edit adds a new version and the old one ages out. */
const MAX_CACHED = 5000;

type Compiled = { validate: ValidateFunction } | { problem: string };

/**
 * Validates a model's tool arguments against the tool's JSON Schema before anything is sent.
 * Validators are compiled once per tool version, each on its own Ajv instance (see
 * tool-schema.ts), and cached by (org, tool id, version): compiling is far costlier than
 * validating, and a version never changes. A schema that does not compile (stored before a
 * rule existed) is reported to the model as that tool's error, never as a failed request.
 */
export class ArgumentValidator {
  private readonly compiled = new Map<string, Compiled>();

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
    const compiled = this.validatorFor(tool);
    if ('problem' in compiled) return { ok: false, message: compiled.problem };
    const { validate } = compiled;
    if (validate(args)) return { ok: true, args };
    const problems = (validate.errors ?? []).map(
      (e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`,
    );
    return { ok: false, message: `arguments do not match the schema: ${problems.join('; ')}` };
  }

  private validatorFor(tool: ExecutableTool): Compiled {
    const key = `${tool.org_id ?? ''}\u0000${tool.id}\u0000${tool.version ?? ''}`;
    let entry = this.compiled.get(key);
    if (!entry) {
      try {
        entry = { validate: compileToolSchema(tool.parameters ?? {}, { checkSchema: false }) };
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        entry = { problem: `the tool's parameters schema cannot be used: ${truncate(why, 300)}` };
      }
      this.compiled.set(key, entry);
      if (this.compiled.size > MAX_CACHED) {
        this.compiled.delete(this.compiled.keys().next().value as string);
      }
    }
    return entry;
  }
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
