import {
  isIntIn,
  isJsonObject,
  isNumberIn,
  isStringUpTo,
} from '../../../../common/validation/fast-accept';
import {
  isCacheOptionValue,
  isConfigurationValue,
  isStopValue,
  isVariablesValue,
} from '../../../../common/validation/validators';
import { SAFE_ID_PATTERN } from '../../../../common/validation/safe-id';
import { MAX_MESSAGES, MESSAGE_ROLES } from '../openai-chat/dto/message.dto';

/**
 * Fast checks for the most common completion bodies: text messages and sampling parameters.
 * They mirror the DTO decorators (openai-chat.dto.ts, message.dto.ts) rule by rule and say
 * `false` to everything else (tools, tool messages, content parts, response_format, nulls,
 * unknown fields), which then gets class-validator's full treatment and its exact messages.
 */

const TEXT_ROLES = new Set<string>(MESSAGE_ROLES.filter((r) => r !== 'tool'));

/** A MessageDto with string content and no tool fields. */
export function isSimpleTextMessage(m: unknown): boolean {
  if (!isJsonObject(m)) return false;
  for (const key in m) {
    const v = m[key];
    switch (key) {
      case 'role':
        if (typeof v !== 'string' || !TEXT_ROLES.has(v)) return false;
        break;
      case 'content':
        if (typeof v !== 'string') return false;
        break;
      case 'name':
        if (!isStringUpTo(v, 64)) return false;
        break;
      default:
        return false;
    }
  }
  return typeof m.role === 'string' && typeof m.content === 'string';
}

export function isSimpleMessageList(v: unknown): boolean {
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_MESSAGES) return false;
  for (const m of v) if (!isSimpleTextMessage(m)) return false;
  return true;
}

function isStreamOptions(v: unknown): boolean {
  if (!isJsonObject(v)) return false;
  for (const key in v) if (key !== 'include_usage' || typeof v[key] !== 'boolean') return false;
  return true;
}

/**
 * One sampling or output field of the OpenAI body: `true` when `v` is within the DTO's bounds,
 * `undefined` when `key` is not a sampling field.
 */
function checkSamplingField(key: string, v: unknown): boolean | undefined {
  switch (key) {
    case 'temperature':
      return isNumberIn(v, 0, 2);
    case 'top_p':
      return isNumberIn(v, 0, 1);
    case 'max_tokens':
    case 'max_completion_tokens':
      return isIntIn(v, 1, Number.MAX_VALUE);
    case 'presence_penalty':
    case 'frequency_penalty':
      return isNumberIn(v, -2, 2);
    case 'seed':
      return isIntIn(v, -Number.MAX_VALUE, Number.MAX_VALUE);
    case 'stop':
      return isStopValue(v);
    default:
      return undefined;
  }
}

/** OpenAiChatCompletionDto without tools, tool_choice or response_format. */
export function isCommonOpenAiChatRequest(body: unknown): boolean {
  if (!isJsonObject(body)) return false;
  for (const key in body) {
    const v = body[key];
    const sampling = checkSamplingField(key, v);
    if (sampling !== undefined) {
      if (!sampling) return false;
      continue;
    }
    switch (key) {
      case 'model':
        if (!isStringUpTo(v, 256, true)) return false;
        break;
      case 'messages':
        if (!isSimpleMessageList(v)) return false;
        break;
      case 'n':
        if (v !== 1) return false;
        break;
      case 'stream':
      case 'parallel_tool_calls':
        if (typeof v !== 'boolean') return false;
        break;
      case 'stream_options':
        if (!isStreamOptions(v)) return false;
        break;
      case 'user':
        if (!isStringUpTo(v, 256)) return false;
        break;
      default:
        return false;
    }
  }
  return typeof body.model === 'string' && Array.isArray(body.messages);
}

/** The agent DTO's id fields (agent_id, thread_id, sub_thread_id) share the thread-id shape. */
const isId = (v: unknown): boolean => typeof v === 'string' && SAFE_ID_PATTERN.test(v);

/** AgentCompletionDto by agent_id, without bridge_id, images or response_format. */
export function isCommonAgentRequest(body: unknown): boolean {
  if (!isJsonObject(body)) return false;
  for (const key in body) {
    const v = body[key];
    switch (key) {
      case 'agent_id':
      case 'thread_id':
      case 'sub_thread_id':
        if (!isId(v)) return false;
        break;
      case 'user':
        if (typeof v !== 'string' || v.length === 0) return false;
        break;
      case 'messages':
        if (!isSimpleMessageList(v)) return false;
        break;
      case 'variables':
        if (!isVariablesValue(v)) return false;
        break;
      case 'configuration':
        if (!isJsonObject(v) || !isConfigurationValue(v)) return false;
        break;
      case 'stream':
        if (typeof v !== 'boolean') return false;
        break;
      case 'cache':
        if (!isCacheOptionValue(v)) return false;
        break;
      default:
        return false;
    }
  }
  return (
    typeof body.agent_id === 'string' && (body.user !== undefined || body.messages !== undefined)
  );
}
