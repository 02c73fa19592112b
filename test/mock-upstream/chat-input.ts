/** The provider-neutral view of a chat request that both wire formats' readers produce. */
import { isObj, type Obj } from './shared';

export interface ChatInput {
  model: string;
  stream: boolean;
  /** Text of the last user message that has text (directive not yet stripped). */
  userText: string;
  /** Contents of the tool results when the conversation ends with tool results, else null. */
  toolResults: string[] | null;
  inputChars: number;
  maxTokens?: number;
  stop: string[];
  /** OpenAI response_format json_object / json_schema. */
  json: boolean;
  /** The schema the text must validate against (OpenAI json_schema, Anthropic output_config.format). */
  schema?: unknown;
  /** The tool the request forces (or requires: its first tool), with its input schema. */
  forcedTool?: ForcedTool;
  /** Anthropic extended thinking enabled (`thinking.type` enabled or adaptive). */
  thinking?: boolean;
  includeUsage: boolean;
  /** OpenAI `n`: how many choices to generate (1 for Anthropic, which has no such parameter). */
  choices: number;
}

export interface ForcedTool {
  name: string;
  schema: unknown;
  /** Forced by name: called even after tool results (a required "any tool" is not). */
  named: boolean;
}

/** A request the real API would reject: its message (400) and, for OpenAI, the `param`. */
export interface ReadError {
  error: string;
  param?: string | null;
}

/** The tool a tool_choice forces: a named one, or the first when any tool is required. */
export function forcedTool(
  tools: unknown,
  choice: { name?: string; any: boolean },
  schemaKey: 'parameters' | 'input_schema',
): ForcedTool | ReadError | undefined {
  if (choice.name === undefined && !choice.any) return undefined;
  const list: Obj[] = Array.isArray(tools)
    ? tools
        .filter(isObj)
        .map((t) => (schemaKey === 'parameters' && isObj(t.function) ? t.function : t))
    : [];
  const tool = choice.name === undefined ? list[0] : list.find((t) => t.name === choice.name);
  if (!tool || typeof tool.name !== 'string') {
    return schemaKey === 'parameters'
      ? {
          error: "Invalid value for 'tool_choice': no function with that name.",
          param: 'tool_choice',
        }
      : { error: 'tool_choice: the named tool is not in tools' };
  }
  return {
    name: tool.name,
    schema: tool[schemaKey] ?? { type: 'object' },
    named: choice.name !== undefined,
  };
}

export function stopList(v: unknown): string[] {
  if (typeof v === 'string') return v ? [v] : [];
  if (Array.isArray(v)) return v.filter((s): s is string => typeof s === 'string' && s !== '');
  return [];
}
