import { AppException, ErrorCode } from '../../../../common/errors';
import type {
  ChatMessage,
  ModelParams,
  ResponseFormat,
  ToolChoice,
  ToolDefinition,
} from '../../../providers';
import type { ChatCompletionRequest } from '../../pipeline/completion-job';
import type { OpenAiResponsesDto } from './dto/openai-responses.dto';
import { inputToMessages } from './responses.items';

type Obj = Record<string, unknown>;

/**
 * Optional fields that travel under a chat-completions parameter name: sent only to models
 * whose catalog entry lists that parameter (as on /v1/messages), since a Responses client
 * cannot be told which of them a non-OpenAI model dropped.
 */
function optionalParams(dto: OpenAiResponsesDto): ModelParams {
  return {
    temperature: dto.temperature,
    top_p: dto.top_p,
    reasoning_effort: dto.reasoning?.effort,
    verbosity: dto.text?.verbosity,
    service_tier: dto.service_tier,
    prompt_cache_key: dto.prompt_cache_key,
    prompt_cache_retention: dto.prompt_cache_retention,
    safety_identifier: dto.safety_identifier,
  };
}

/**
 * A Responses create body in canonical terms (model already qualified): `instructions` as the
 * first system message, then `history` (earlier turns, when the caller continues a stored
 * response or conversation), then the `input` items.
 */
export function toChatRequest(
  dto: OpenAiResponsesDto,
  model: string,
  supportsParam: (name: string) => boolean,
  history: ChatMessage[] = [],
): ChatCompletionRequest {
  const messages: ChatMessage[] = [];
  if (dto.instructions) messages.push({ role: 'system', content: dto.instructions });
  messages.push(...history);
  if (dto.input !== undefined && dto.input !== null) messages.push(...inputToMessages(dto.input));
  if (!messages.some((m) => m.role !== 'system' && m.role !== 'developer')) {
    throw invalid('input: Field required (a string or at least one input item)', 'input');
  }
  const params: ModelParams = {};
  if (dto.max_output_tokens !== undefined && dto.max_output_tokens !== null) {
    params.max_tokens = dto.max_output_tokens;
  }
  for (const [name, value] of Object.entries(optionalParams(dto))) {
    if (value !== undefined && value !== null && supportsParam(name)) params[name] = value;
  }
  const tools = dto.tools?.length ? dto.tools.map(toToolDefinition) : undefined;
  const choice = toolChoice(dto.tool_choice);
  return {
    model,
    messages,
    params,
    tools,
    // Without tools both are meaningless, and OpenAI's chat API refuses them: the SDK's
    // defaults (`tool_choice: "auto"`, `tools: []`) must not turn into an upstream 400.
    tool_choice: tools ? choice : undefined,
    parallel_tool_calls: tools ? (dto.parallel_tool_calls ?? undefined) : undefined,
    response_format: responseFormat(dto.text?.format),
    user: dto.user ?? undefined,
  };
}

/** A Responses function tool (flat: name at the top) as the canonical nested definition. */
function toToolDefinition(t: Obj, i: number): ToolDefinition {
  const at = `tools[${i}]`;
  if (t.type !== 'function') {
    throw invalid(
      `${at}.type: tool type ${JSON.stringify(t.type)} is not supported by this gateway (only "function" tools, or "stored_tool" for the org's stored tools)`,
      `${at}.type`,
    );
  }
  if (typeof t.name !== 'string' || t.name === '' || t.name.length > 64) {
    throw invalid(`${at}.name: Field required (a string of 1 to 64 characters)`, `${at}.name`);
  }
  if (t.description !== undefined && t.description !== null && typeof t.description !== 'string') {
    throw invalid(`${at}.description: must be a string`, `${at}.description`);
  }
  if (t.parameters !== undefined && t.parameters !== null && !isObj(t.parameters)) {
    throw invalid(`${at}.parameters: must be a JSON Schema object`, `${at}.parameters`);
  }
  if (t.strict !== undefined && t.strict !== null && typeof t.strict !== 'boolean') {
    throw invalid(`${at}.strict: must be a boolean`, `${at}.strict`);
  }
  return {
    type: 'function',
    function: {
      name: t.name,
      ...(typeof t.description === 'string' ? { description: t.description } : {}),
      ...(isObj(t.parameters) ? { parameters: t.parameters } : {}),
      ...(typeof t.strict === 'boolean' ? { strict: t.strict } : {}),
    },
  };
}

function toolChoice(v: OpenAiResponsesDto['tool_choice']): ToolChoice | undefined {
  if (v === undefined || v === null) return undefined;
  if (v === 'none' || v === 'auto' || v === 'required') return v;
  if (typeof v === 'object' && v.type === 'function') {
    if (typeof v.name !== 'string' || v.name === '') {
      throw invalid('tool_choice.name: Field required (a string)', 'tool_choice.name');
    }
    return { type: 'function', function: { name: v.name } };
  }
  const type = typeof v === 'object' ? v.type : v;
  throw invalid(
    `tool_choice.type: ${JSON.stringify(type)} is not supported by this gateway (use none, auto, required or {type:"function",name})`,
    'tool_choice',
  );
}

/** `text.format` as the canonical response format (`text` is the default: none). */
function responseFormat(format: Obj | undefined): ResponseFormat | undefined {
  if (format === undefined || format === null) return undefined;
  switch (format.type) {
    case 'text':
      return undefined;
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema': {
      const at = 'text.format';
      if (typeof format.name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(format.name)) {
        throw invalid(`${at}.name: Field required (1 to 64 letters, digits, _ or -)`, `${at}.name`);
      }
      if (!isObj(format.schema)) {
        throw invalid(`${at}.schema: Field required (a JSON Schema object)`, `${at}.schema`);
      }
      if (
        format.strict !== undefined &&
        format.strict !== null &&
        typeof format.strict !== 'boolean'
      ) {
        throw invalid(`${at}.strict: must be a boolean`, `${at}.strict`);
      }
      return {
        type: 'json_schema',
        json_schema: {
          name: format.name,
          schema: format.schema,
          ...(typeof format.strict === 'boolean' ? { strict: format.strict } : {}),
        },
      };
    }
    default:
      throw invalid(
        `text.format.type: must be one of text, json_object, json_schema (got ${JSON.stringify(format.type)})`,
        'text.format.type',
      );
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function invalid(message: string, param: string): AppException {
  return new AppException(ErrorCode.VALIDATION_FAILED, message, { param });
}
