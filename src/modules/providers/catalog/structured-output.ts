import type { ChatRequest, ResponseFormat, ToolDefinition } from '../provider.types';
import type { ModelFeatures } from './catalog.types';

/**
 * How a `response_format` reaches a model:
 * - `native`: sent as is (OpenAI-style `response_format`, Anthropic's `output_config.format`);
 * - `tool`: a forced tool whose input schema is the requested schema; its call comes back as the
 *   message content (see structured-output.result.ts);
 * - `json_mode`: json_schema on a model that only has JSON mode and no tools: `json_object` plus
 *   the schema as a system instruction (syntactically JSON, the schema only asked for).
 */
export type StructuredOutputRoute = 'native' | 'tool' | 'json_mode';

/** The open schema a forced tool gets for `json_object` (any JSON object). */
const ANY_OBJECT: Record<string, unknown> = { type: 'object', additionalProperties: true };
const DEFAULT_TOOL_NAME = 'json_output';
const TOOL_DESCRIPTION =
  'Give your final answer by calling this tool; its input is the answer, as JSON matching the schema.';

/** The schema a json_schema format asks for; undefined for json_object (or a schema-less json_schema). */
function schemaOf(format: ResponseFormat): Record<string, unknown> | undefined {
  return format.type === 'json_schema' ? format.json_schema.schema : undefined;
}

/**
 * The route for this format on a model with these features, or undefined when the model can
 * take it by no route (no native support, no tools, no JSON mode): the validator's 400.
 *
 * With a schema, native structured outputs win, then a forced tool, then JSON mode. A forced
 * tool is preferred over JSON mode plus instructions because the schema then reaches the model
 * as a tool's parameter schema, which providers validate or constrain decoding against (and it
 * is the same translation as Anthropic's), while JSON mode only promises syntactically valid JSON.
 * Without a schema (json_object), native JSON mode wins, then a forced tool taking any object
 * (Anthropic has no JSON mode, and its structured outputs need a closed schema).
 */
export function structuredOutputRoute(
  format: ResponseFormat | undefined,
  features: ModelFeatures,
): StructuredOutputRoute | 'none' | undefined {
  if (!format || format.type === 'text') return 'none';
  if (schemaOf(format)) {
    if (features.structured_outputs) return 'native';
    if (features.tools) return 'tool';
    return features.json_mode ? 'json_mode' : undefined;
  }
  if (features.json_mode) return 'native';
  return features.tools ? 'tool' : undefined;
}

/** A tool name providers accept (^[a-zA-Z0-9_-]{1,64}$) that no client tool already uses. */
function outputToolName(format: ResponseFormat, tools: ToolDefinition[]): string {
  const wanted =
    format.type === 'json_schema'
      ? format.json_schema.name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64)
      : '';
  let name = wanted || DEFAULT_TOOL_NAME;
  const taken = new Set(tools.map((t) => t.function.name));
  for (let i = 2; taken.has(name); i++) name = `${wanted || DEFAULT_TOOL_NAME}_${i}`.slice(-64);
  return name;
}

function viaTool(req: ChatRequest, format: ResponseFormat): ChatRequest {
  const clientTools = req.tools ?? [];
  const name = outputToolName(format, clientTools);
  const strict = format.type === 'json_schema' ? format.json_schema.strict : undefined;
  const tool: ToolDefinition = {
    type: 'function',
    function: {
      name,
      description: TOOL_DESCRIPTION,
      parameters: schemaOf(format) ?? ANY_OBJECT,
      ...(strict !== undefined ? { strict } : {}),
    },
  };
  // Alone, the output tool is forced. Next to the client's own tools the model must still be
  // free to call those, so any tool is required (never plain text), or the client's named one.
  // Claude with extended thinking on refuses any forcing tool_choice ("auto" or "none" only):
  // there the tool is offered with "auto" and its description asks for it.
  const thinking = isThinkingOn(req.params?.thinking);
  const useClientTools = clientTools.length > 0 && req.tool_choice !== 'none';
  const choice: ChatRequest['tool_choice'] = thinking
    ? 'auto'
    : useClientTools
      ? typeof req.tool_choice === 'object'
        ? req.tool_choice
        : 'required'
      : { type: 'function', function: { name } };
  return {
    ...req,
    response_format: undefined,
    tools: useClientTools ? [...clientTools, tool] : [tool],
    tool_choice: choice,
    output_tool: name,
  };
}

function isThinkingOn(thinking: unknown): boolean {
  return (
    typeof thinking === 'object' &&
    thinking !== null &&
    (thinking as { type?: unknown }).type !== 'disabled'
  );
}

function viaJsonMode(req: ChatRequest, schema: Record<string, unknown>): ChatRequest {
  const instruction =
    'Respond with a single JSON value that validates against this JSON Schema, and nothing else:\n' +
    JSON.stringify(schema);
  return {
    ...req,
    response_format: { type: 'json_object' },
    messages: [{ role: 'system', content: instruction }, ...req.messages],
  };
}

/**
 * The request as the target model can take its `response_format` (see structuredOutputRoute).
 * A schema-less json_schema on a native route becomes json_object, which is what it means.
 */
export function planStructuredOutput(req: ChatRequest, features: ModelFeatures): ChatRequest {
  const format = req.response_format;
  const route = structuredOutputRoute(format, features);
  if (!format || route === 'none' || route === undefined) return req;
  if (route === 'tool') return viaTool(req, format);
  const schema = schemaOf(format);
  if (route === 'json_mode' && schema) return viaJsonMode(req, schema);
  if (format.type === 'json_schema' && !schema)
    return { ...req, response_format: { type: 'json_object' } };
  return req;
}
