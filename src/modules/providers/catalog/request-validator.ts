import { AppException, ErrorCode } from '../../../common/errors';
import type { ChatRequest, ModelParams } from '../provider.types';
import type { ParamSpec, ResolvedModel } from './catalog.types';
import { structuredOutputRoute } from './structured-output';

function invalid(param: string, message: string): AppException {
  return new AppException(ErrorCode.VALIDATION_FAILED, message, { status: 400, param });
}

function describe(spec: ParamSpec): string {
  const type = spec.type ?? 'number';
  if (type === 'enum') return `one of ${(spec.values ?? []).join(', ')}`;
  if (type === 'stop')
    return `a string or a list of at most ${spec.max_items ?? 'any number of'} strings`;
  if (type === 'object') return 'an object';
  if (type === 'array') return 'a list';
  const kind = type === 'integer' ? 'an integer' : type === 'number' ? 'a number' : `a ${type}`;
  if (spec.min !== undefined && spec.max !== undefined)
    return `${kind} between ${spec.min} and ${spec.max}`;
  if (spec.min !== undefined) return `${kind} >= ${spec.min}`;
  if (spec.max !== undefined) return `${kind} <= ${spec.max}`;
  return kind;
}

/** True when `value` satisfies `spec`. */
export function fitsSpec(value: unknown, spec: ParamSpec): boolean {
  switch (spec.type ?? 'number') {
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'enum':
      return typeof value === 'string' && (spec.values ?? []).includes(value);
    case 'stop': {
      const list = typeof value === 'string' ? [value] : value;
      return (
        Array.isArray(list) &&
        list.every((s) => typeof s === 'string' && s.length > 0) &&
        (spec.max_items === undefined || list.length <= spec.max_items)
      );
    }
    default: {
      if (typeof value !== 'number' || !Number.isFinite(value)) return false;
      if (spec.type === 'integer' && !Number.isInteger(value)) return false;
      return (
        (spec.min === undefined || value >= spec.min) &&
        (spec.max === undefined || value <= spec.max)
      );
    }
  }
}

function validateParams(params: ModelParams, m: ResolvedModel): void {
  const ref = `${m.service}/${m.model}`;
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    const spec = m.entry.params[name];
    if (!spec) {
      if (m.passThroughParams) continue;
      const accepted = Object.keys(m.entry.params).join(', ') || 'none';
      throw invalid(name, `${name} is not supported by ${ref} (accepted: ${accepted})`);
    }
    if (!fitsSpec(value, spec)) {
      throw invalid(
        name,
        `${name} must be ${describe(spec)} for ${ref} (got ${JSON.stringify(value)})`,
      );
    }
  }
}

/** The first member of each exclusive group sent, and the others that came with it. */
function exclusiveConflicts(params: ModelParams, m: ResolvedModel): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const group of m.entry.exclusive_params ?? []) {
    const sent = group.filter((name) => params[name] !== undefined && params[name] !== null);
    for (const name of sent.slice(1)) out.push([sent[0], name]);
  }
  return out;
}

function validateMessages(req: ChatRequest, m: ResolvedModel): void {
  if (!Array.isArray(req.messages) || req.messages.length === 0) {
    throw invalid('messages', 'messages must contain at least one message');
  }
  if (m.entry.features.vision) return;
  req.messages.forEach((msg, i) => {
    if (msg.role !== 'user' || typeof msg.content === 'string') return;
    const j = msg.content.findIndex((p) => p.type === 'image_url');
    if (j >= 0)
      throw invalid(
        `messages[${i}].content[${j}]`,
        `${m.service}/${m.model} does not accept images`,
      );
  });
}

function validateTools(req: ChatRequest, m: ResolvedModel): void {
  const tools = req.tools ?? [];
  if (tools.length && !m.entry.features.tools) {
    throw invalid('tools', `${m.service}/${m.model} does not support tools`);
  }
  const choice = req.tool_choice;
  if (choice === undefined || choice === 'none' || choice === 'auto') return;
  if (!tools.length) throw invalid('tool_choice', 'tool_choice requires tools');
  if (typeof choice === 'object' && !tools.some((t) => t.function.name === choice.function.name)) {
    throw invalid(
      'tool_choice',
      `tool_choice names "${choice.function.name}", which is not among the tools`,
    );
  }
}

/**
 * Rejects what the model cannot take, naming the offending parameter: unknown parameters,
 * out-of-range values, tools or images for models without them, JSON mode, streaming.
 */
export function validateRequest(
  req: ChatRequest,
  m: ResolvedModel,
  opts: { stream?: boolean } = {},
): void {
  validateMessages(req, m);
  validateParams(req.params ?? {}, m);
  const [conflict] = exclusiveConflicts(req.params ?? {}, m);
  if (conflict) {
    throw invalid(
      conflict[1],
      `${conflict[0]} and ${conflict[1]} cannot both be sent to ${m.service}/${m.model}; send one`,
    );
  }
  validateTools(req, m);
  // Natively, through a forced tool or through JSON mode (see structured-output.ts).
  if (structuredOutputRoute(req.response_format, m.entry.features) === undefined) {
    throw invalid(
      'response_format',
      `${m.service}/${m.model} does not support ${req.response_format?.type} (no structured outputs, JSON mode or tools)`,
    );
  }
  if (opts.stream && !m.entry.features.streaming) {
    throw invalid('stream', `${m.service}/${m.model} does not support streaming`);
  }
}

function clamp(value: unknown, spec: ParamSpec): unknown {
  const type = spec.type ?? 'number';
  if (type === 'stop' && Array.isArray(value) && spec.max_items !== undefined) {
    return value.slice(0, spec.max_items);
  }
  if (
    (type === 'number' || type === 'integer') &&
    typeof value === 'number' &&
    Number.isFinite(value)
  ) {
    let v = value;
    if (spec.min !== undefined) v = Math.max(v, spec.min);
    if (spec.max !== undefined) v = Math.min(v, spec.max);
    return type === 'integer' ? Math.round(v) : v;
  }
  return value;
}

/**
 * The request reshaped for a fallback model the client did not choose: parameters that model
 * does not take are dropped and out-of-range values clamped, instead of failing the fallback.
 */
export function adaptParams(params: ModelParams, m: ResolvedModel): ModelParams {
  const out: ModelParams = {};
  for (const [name, value] of Object.entries(params)) {
    const spec = m.entry.params[name];
    if (value === undefined || value === null) continue;
    if (!spec) {
      if (m.passThroughParams) out[name] = value;
      continue;
    }
    const v = clamp(value, spec);
    if (fitsSpec(v, spec)) out[name] = v;
  }
  for (const [, extra] of exclusiveConflicts(out, m)) delete out[extra];
  return out;
}

/**
 * Fills parameters the provider requires (`required` in the catalog) and drops nulls. A required
 * `max_tokens` defaults to the model's own maximum output, so an answer is never cut short by a
 * gateway-chosen limit (Anthropic requires the field; OpenAI-style services default to the
 * model's maximum themselves).
 */
export function withRequiredDefaults(params: ModelParams, m: ResolvedModel): ModelParams {
  const out: ModelParams = {};
  for (const [name, value] of Object.entries(params))
    if (value !== undefined && value !== null) out[name] = value;
  for (const [name, spec] of Object.entries(m.entry.params)) {
    if (!spec.required || out[name] !== undefined) continue;
    if (name === 'max_tokens' && m.entry.max_output_tokens > 0) {
      out[name] =
        spec.max === undefined
          ? m.entry.max_output_tokens
          : Math.min(spec.max, m.entry.max_output_tokens);
    } else if (spec.default !== undefined) out[name] = spec.default;
  }
  return out;
}
