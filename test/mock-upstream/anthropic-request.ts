/** Reads and validates an Anthropic Messages request body, as the real API does. */
import { forcedTool, stopList, type ChatInput, type ReadError } from './chat-input';
import { isObj, type Obj } from './shared';

/** The Anthropic API version from which temperature/top_p/top_k are rejected. */
const ANTHROPIC_NO_SAMPLING_FROM = '2026-10-21';

/**
 * Anthropic's `thinking`: `{type:"enabled", budget_tokens}` (at least 1024, below max_tokens),
 * `{type:"adaptive"}` or `{type:"disabled"}`. With thinking on, a conversation that ends with
 * tool results must send back the thinking block that opened the assistant turn with the calls,
 * as Anthropic requires. True when thinking is on; a ReadError when the request breaks a rule.
 */
function readThinking(body: Obj, messages: Obj[]): boolean | ReadError {
  const t = body.thinking;
  if (t === undefined || t === null) return false;
  if (!isObj(t)) return { error: 'thinking: Input should be a valid dictionary' };
  if (t.type === 'disabled') return false;
  if (t.type === 'enabled') {
    const budget = t.budget_tokens;
    if (typeof budget !== 'number' || !Number.isInteger(budget) || budget < 1024) {
      return {
        error: 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024',
      };
    }
    if (typeof body.max_tokens === 'number' && body.max_tokens <= budget) {
      return { error: '`max_tokens` must be greater than `thinking.budget_tokens`' };
    }
  } else if (t.type !== 'adaptive') {
    return { error: "thinking.type: Input should be 'enabled', 'adaptive' or 'disabled'" };
  }
  const last = messages[messages.length - 1];
  const endsWithResults =
    Array.isArray(last?.content) &&
    last.content.some((b: unknown) => isObj(b) && b.type === 'tool_result');
  if (endsWithResults) {
    const i = messages.length - 2;
    const turn = messages[i];
    const first: unknown = Array.isArray(turn?.content) ? turn.content[0] : undefined;
    const type = isObj(first) ? first.type : undefined;
    if (type !== 'thinking' && type !== 'redacted_thinking') {
      return {
        error:
          `messages.${i}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found ` +
          `\`${String(type)}\`. When \`thinking\` is enabled, a final \`assistant\` message must start ` +
          'with a thinking block.',
      };
    }
  }
  return true;
}

export function anthropicBlocksText(content: unknown, withToolResults: boolean): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const b of content) {
    if (!isObj(b)) continue;
    let t = '';
    if (b.type === 'text' && typeof b.text === 'string') t = b.text;
    else if (withToolResults && b.type === 'tool_result') t = anthropicBlocksText(b.content, true);
    else if (withToolResults && b.type === 'tool_use') {
      t = `${typeof b.name === 'string' ? b.name : ''}${JSON.stringify(b.input ?? {})}`;
    }
    if (t) out += (out ? '\n' : '') + t;
  }
  return out;
}

export function readAnthropic(
  body: Obj,
  version: string,
  countOnly = false,
): ChatInput | ReadError {
  if (typeof body.model !== 'string' || body.model === '')
    return { error: 'model: Field required' };
  if (countOnly) {
    // count_tokens takes no max_tokens
  } else if (body.max_tokens === undefined) {
    return { error: 'max_tokens: Field required' };
  } else if (
    typeof body.max_tokens !== 'number' ||
    !Number.isInteger(body.max_tokens) ||
    body.max_tokens < 1
  ) {
    return { error: 'max_tokens: Input should be a valid integer greater than or equal to 1' };
  }
  const messages = body.messages;
  if (messages === undefined) return { error: 'messages: Field required' };
  if (!Array.isArray(messages)) return { error: 'messages: Input should be a valid list' };
  if (messages.length === 0) return { error: 'messages: at least one message is required' };
  for (let i = 0; i < messages.length; i++) {
    const m: unknown = messages[i];
    if (!isObj(m)) return { error: `messages.${i}: Input should be a valid dictionary` };
    if (m.role === 'system') {
      return {
        error:
          `messages.${i}.role: Unexpected role "system". The Messages API accepts a top-level ` +
          '`system` parameter, not "system" as an input message role.',
      };
    }
    if (m.role !== 'user' && m.role !== 'assistant') {
      return { error: `messages.${i}.role: Input should be 'user' or 'assistant'` };
    }
  }
  if (version >= ANTHROPIC_NO_SAMPLING_FROM) {
    for (const p of ['temperature', 'top_p', 'top_k']) {
      if (body[p] !== undefined) {
        return {
          error: `${p}: Extra inputs are not permitted (removed in API version ${ANTHROPIC_NO_SAMPLING_FROM})`,
        };
      }
    }
  }
  let chars = anthropicBlocksText(body.system, false).length;
  for (const m of messages as Obj[]) chars += anthropicBlocksText(m.content, true).length;
  let userText = '';
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as Obj;
    if (m.role !== 'user') continue;
    const t = anthropicBlocksText(m.content, false);
    if (t !== '' || typeof m.content === 'string') {
      userText = t;
      break;
    }
  }
  const thinking = readThinking(body, messages as Obj[]);
  if (typeof thinking !== 'boolean') return thinking;
  // Structured outputs: output_config.format = {type: 'json_schema', schema}.
  let schema: unknown;
  const oc = body.output_config;
  if (oc !== undefined && oc !== null) {
    if (!isObj(oc)) return { error: 'output_config: Input should be a valid dictionary' };
    const f = oc.format;
    if (f !== undefined && f !== null) {
      if (!isObj(f) || f.type !== 'json_schema') {
        return { error: "output_config.format.type: Input should be 'json_schema'" };
      }
      if (!isObj(f.schema)) return { error: 'output_config.format.schema: Field required' };
      schema = f.schema;
    }
  }
  const tc = body.tool_choice;
  const forced = isObj(tc)
    ? forcedTool(
        body.tools,
        { name: tc.type === 'tool' ? (tc.name as string) : undefined, any: tc.type === 'any' },
        'input_schema',
      )
    : undefined;
  if (forced && 'error' in forced) return forced;
  let toolResults: string[] | null = null;
  const last = messages[messages.length - 1] as Obj;
  if (last.role === 'user' && Array.isArray(last.content)) {
    for (const b of last.content) {
      if (isObj(b) && b.type === 'tool_result') {
        (toolResults ??= []).push(anthropicBlocksText(b.content, true));
      }
    }
  }
  return {
    model: body.model,
    stream: body.stream === true,
    userText,
    toolResults,
    inputChars: chars,
    maxTokens: typeof body.max_tokens === 'number' ? body.max_tokens : undefined,
    stop: stopList(body.stop_sequences),
    json: false,
    schema,
    forcedTool: forced,
    thinking: thinking === true,
    includeUsage: false,
    choices: 1,
  };
}
