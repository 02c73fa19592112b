import { AppException, ErrorCode } from '../../../../common/errors';
import type {
  CacheControl,
  ChatMessage,
  ContentPart,
  ResponseFormat,
  TextPart,
  ThinkingBlock,
  ToolCall,
  ToolChoice,
  ToolDefinition,
} from '../../../providers';
import type { ChatCompletionRequest } from '../../pipeline/completion-job';
import type {
  AnthropicCountTokensDto,
  AnthropicMessagesDto,
  AnthropicToolDto,
} from './dto/anthropic-messages.dto';

type Block = Record<string, unknown>;

/** Optional sampling fields: forwarded only where the target model's catalog entry lists them. */
const SAMPLING = ['temperature', 'top_p', 'top_k', 'thinking'] as const;

/** Anthropic Messages request -> the canonical request (model already qualified). */
export function toChatRequest(
  dto: AnthropicMessagesDto,
  model: string,
  supportsParam: (name: string) => boolean,
): ChatCompletionRequest {
  const params: Record<string, unknown> = { max_tokens: dto.max_tokens };
  if (dto.stop_sequences?.length) params.stop = dto.stop_sequences;
  for (const name of SAMPLING) {
    if (dto[name] !== undefined && supportsParam(name)) params[name] = dto[name];
  }
  const userId = dto.metadata?.user_id;
  const choice = toolChoice(dto.tool_choice);
  return {
    model,
    messages: toMessages(dto),
    params: params,
    tools: dto.tools?.length ? dto.tools.map(toToolDefinition) : undefined,
    tool_choice: choice?.choice,
    parallel_tool_calls: choice?.parallel,
    response_format: responseFormat(dto),
    user: typeof userId === 'string' && userId !== '' ? userId.slice(0, 256) : undefined,
  };
}

/** The system prompt and the turns in canonical messages (count_tokens uses this too). */
export function toMessages(dto: AnthropicCountTokensDto): ChatMessage[] {
  const out: ChatMessage[] = [];
  if (dto.system !== undefined) {
    const system = textOrMarkedBlocks(dto.system, 'system');
    if (system.length > 0) out.push({ role: 'system', content: system });
  }
  dto.messages.forEach((m, i) => {
    if (m.role === 'assistant') out.push(assistantTurn(m.content, `messages.${i}.content`));
    else out.push(...userTurn(m.content, `messages.${i}.content`));
  });
  return out;
}

function assistantTurn(content: string | Block[], param: string): ChatMessage {
  if (typeof content === 'string') return { role: 'assistant', content };
  const texts: TextPart[] = [];
  const calls: ToolCall[] = [];
  const thinking: ThinkingBlock[] = [];
  content.forEach((b, j) => {
    switch (b.type) {
      case 'text':
        texts.push(textPart(b, `${param}.${j}`));
        break;
      case 'tool_use':
        calls.push({
          id: stringField(b, 'id', `${param}.${j}`),
          type: 'function',
          function: {
            name: stringField(b, 'name', `${param}.${j}`),
            arguments: JSON.stringify(b.input ?? {}),
          },
        });
        break;
      // Kept with the turn: Claude needs it back (signed) in tool-use loops with thinking on;
      // other providers' adapters leave it out.
      case 'thinking':
        thinking.push({
          type: 'thinking',
          thinking: stringField(b, 'thinking', `${param}.${j}`),
          signature: stringField(b, 'signature', `${param}.${j}`),
        });
        break;
      case 'redacted_thinking':
        thinking.push({ type: 'redacted_thinking', data: stringField(b, 'data', `${param}.${j}`) });
        break;
      default:
        throw unsupportedBlock(b.type, `${param}.${j}`);
    }
  });
  const extra = thinking.length ? { thinking } : {};
  // Text blocks stay apart only when one carries a cache breakpoint, which must stay on it.
  if (texts.some((p) => p.cache_control)) {
    return {
      role: 'assistant',
      content: texts,
      ...(calls.length ? { tool_calls: calls } : {}),
      ...extra,
    };
  }
  const text = texts.map((p) => p.text).join('');
  return calls.length > 0
    ? { role: 'assistant', content: text === '' ? null : text, tool_calls: calls, ...extra }
    : { role: 'assistant', content: text, ...extra };
}

/**
 * A user turn: its `tool_result` blocks become canonical tool messages (first, as they answer
 * the previous assistant turn's calls), the rest one user message.
 */
function userTurn(content: string | Block[], param: string): ChatMessage[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  const results: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  content.forEach((b, j) => {
    const at = `${param}.${j}`;
    switch (b.type) {
      case 'text':
        parts.push(textPart(b, at));
        break;
      case 'image':
        parts.push({ ...imagePart(b, at), ...cacheControlOf(b) });
        break;
      case 'tool_result': {
        const text = b.content === undefined ? '' : textOnly(b.content, `${at}.content`);
        results.push({
          role: 'tool',
          tool_call_id: stringField(b, 'tool_use_id', at),
          content: b.is_error === true ? `Error: ${text}` : text,
          ...cacheControlOf(b),
        });
        break;
      }
      default:
        throw unsupportedBlock(b.type, at);
    }
  });
  if (parts.length === 0) return results;
  const user: ChatMessage = parts.every((p) => p.type === 'text' && !p.cache_control)
    ? { role: 'user', content: parts.map((p) => (p as TextPart).text).join('\n\n') }
    : { role: 'user', content: parts };
  return [...results, user];
}

function imagePart(b: Block, at: string): ContentPart {
  const source = b.source as Block | undefined;
  if (source?.type === 'base64') {
    const mediaType = stringField(source, 'media_type', `${at}.source`);
    const data = stringField(source, 'data', `${at}.source`);
    return { type: 'image_url', image_url: { url: `data:${mediaType};base64,${data}` } };
  }
  if (source?.type === 'url') {
    return { type: 'image_url', image_url: { url: stringField(source, 'url', `${at}.source`) } };
  }
  throw invalid(`${at}.source: an image source must be {type:"base64"} or {type:"url"}`, at);
}

/** A text block, with its cache breakpoint when it has one. */
function textPart(b: Block, at: string): TextPart {
  return { type: 'text', text: stringField(b, 'text', at), ...cacheControlOf(b) };
}

/**
 * A block's `cache_control`, kept as sent so that it reaches Anthropic unchanged (other
 * services' adapters leave it out); anything but an object is refused as Anthropic does.
 */
function cacheControlOf(b: Block): { cache_control?: CacheControl } {
  const c = b.cache_control;
  if (c === undefined || c === null) return {};
  if (typeof c !== 'object' || Array.isArray(c)) {
    throw invalid('cache_control: Input should be a valid dictionary', 'cache_control');
  }
  return { cache_control: c as CacheControl };
}

/**
 * `system`: joined into one string as before, unless a block carries a cache breakpoint; then
 * the blocks stay apart (empty ones dropped) so the breakpoint stays where the client put it.
 */
function textOrMarkedBlocks(v: unknown, param: string): string | TextPart[] {
  if (!Array.isArray(v) || !v.some((b) => isBlock(b) && b.cache_control != null)) {
    return textOnly(v, param);
  }
  return v
    .map((b: unknown, j) => {
      const block = isBlock(b) ? b : {};
      if (block.type !== 'text') throw unsupportedBlock(block.type, `${param}.${j}`);
      return textPart(block, `${param}.${j}`);
    })
    .filter((p) => p.text !== '');
}

function isBlock(b: unknown): b is Block {
  return typeof b === 'object' && b !== null && !Array.isArray(b);
}

/** A string, or text blocks joined: the shape of `system` and of tool results. */
function textOnly(v: unknown, param: string): string {
  if (typeof v === 'string') return v;
  if (!Array.isArray(v)) throw invalid(`${param}: must be a string or text blocks`, param);
  return v
    .map((b: unknown, j) => {
      const block = (b ?? {}) as Block;
      if (block.type !== 'text') throw unsupportedBlock(block.type, `${param}.${j}`);
      return stringField(block, 'text', `${param}.${j}`);
    })
    .join('\n\n');
}

function toToolDefinition(t: AnthropicToolDto, i: number): ToolDefinition {
  if (t.type !== undefined && t.type !== 'custom') {
    throw invalid(
      `tools.${i}.type: "${t.type}" is an Anthropic server tool; only custom tools are supported`,
      `tools.${i}.type`,
    );
  }
  return {
    type: 'function',
    function: {
      name: t.name,
      ...(t.description !== undefined ? { description: t.description } : {}),
      parameters: t.input_schema,
    },
    ...cacheControlOf(t as unknown as Block),
  };
}

/**
 * `output_config.format` (or the deprecated top-level `output_format`) as the canonical
 * json_schema response format; the catalog then sends it natively or as a forced tool.
 */
function responseFormat(dto: AnthropicMessagesDto): ResponseFormat | undefined {
  const config = dto.output_config;
  const at = config !== undefined ? 'output_config.format' : 'output_format';
  const format = config !== undefined ? config.format : dto.output_format;
  if (format === undefined || format === null) return undefined;
  if (typeof format !== 'object' || Array.isArray(format)) {
    throw invalid(`${at}: Input should be a valid dictionary`, at);
  }
  const f = format as Block;
  if (f.type !== 'json_schema') throw invalid(`${at}.type: Input should be 'json_schema'`, at);
  const schema = f.schema;
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw invalid(`${at}.schema: Field required (a JSON Schema object)`, `${at}.schema`);
  }
  return {
    type: 'json_schema',
    json_schema: { name: 'output', schema: schema as Record<string, unknown> },
  };
}

function toolChoice(
  v: Record<string, unknown> | undefined,
): { choice?: ToolChoice; parallel?: boolean } | undefined {
  if (!v) return undefined;
  const parallel = v.disable_parallel_tool_use === true ? false : undefined;
  switch (v.type) {
    case 'auto':
      return { choice: 'auto', parallel };
    case 'any':
      return { choice: 'required', parallel };
    case 'none':
      return { choice: 'none' };
    case 'tool':
      return {
        choice: {
          type: 'function',
          function: { name: stringField(v, 'name', 'tool_choice') },
        },
        parallel,
      };
    default:
      throw invalid('tool_choice.type: must be one of auto, any, tool, none', 'tool_choice');
  }
}

function stringField(b: Block, key: string, at: string): string {
  const v = b[key];
  if (typeof v !== 'string')
    throw invalid(`${at}.${key}: Field required (a string)`, `${at}.${key}`);
  return v;
}

function unsupportedBlock(type: unknown, at: string): AppException {
  return invalid(`${at}: content block type "${String(type)}" is not supported here`, at);
}

function invalid(message: string, param: string): AppException {
  return new AppException(ErrorCode.VALIDATION_FAILED, message, { param });
}
