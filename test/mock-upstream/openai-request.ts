/** Reads and validates an OpenAI chat-completions request body, as the real API does. */
import { forcedTool, stopList, type ChatInput, type ReadError } from './chat-input';
import { isObj, type Obj } from './shared';

function openaiContentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const part of content) {
    if (isObj(part) && typeof part.text === 'string') out += (out ? '\n' : '') + part.text;
  }
  return out;
}

/** Returns the parsed input, or an error message (400). */
export function readOpenAI(body: Obj): ChatInput | ReadError {
  if (typeof body.model !== 'string' || body.model === '') {
    return { error: 'you must provide a model parameter', param: null };
  }
  const messages = body.messages;
  if (!Array.isArray(messages)) {
    return { error: "Missing required parameter: 'messages'.", param: 'messages' };
  }
  if (messages.length === 0) {
    return {
      error: "Invalid 'messages': empty array. Expected an array with minimum length 1.",
      param: 'messages',
    };
  }
  const stream = body.stream === true;
  if (body.stream_options != null && !stream) {
    return {
      error: "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
      param: 'stream_options',
    };
  }
  let chars = 0;
  for (const m of messages) {
    if (!isObj(m)) continue;
    chars += openaiContentText(m.content).length;
    if (Array.isArray(m.tool_calls)) {
      for (const tc of m.tool_calls) {
        if (isObj(tc) && isObj(tc.function)) {
          const f = tc.function;
          chars +=
            (typeof f.name === 'string' ? f.name.length : 0) +
            (typeof f.arguments === 'string' ? f.arguments.length : 0);
        }
      }
    }
  }
  let userText = '';
  for (let i = messages.length - 1; i >= 0; i--) {
    const m: unknown = messages[i];
    if (isObj(m) && m.role === 'user') {
      userText = openaiContentText(m.content);
      break;
    }
  }
  let toolResults: string[] | null = null;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m: unknown = messages[i];
    if (!isObj(m) || m.role !== 'tool') break;
    (toolResults ??= []).unshift(openaiContentText(m.content));
  }
  const choices = readChoiceCount(body.n);
  if (typeof choices !== 'number') return choices;
  const max = body.max_completion_tokens ?? body.max_tokens;
  const rf = body.response_format;
  const so = body.stream_options;
  let schema: unknown;
  if (isObj(rf) && rf.type === 'json_schema') {
    const js = rf.json_schema;
    if (!isObj(js) || typeof js.name !== 'string') {
      return {
        error: "Missing required parameter: 'response_format.json_schema.name'.",
        param: 'response_format.json_schema.name',
      };
    }
    schema = js.schema ?? { type: 'object' };
  }
  const tc = body.tool_choice;
  const forced = forcedTool(
    body.tools,
    {
      name: isObj(tc) && isObj(tc.function) ? (tc.function.name as string) : undefined,
      any: tc === 'required',
    },
    'parameters',
  );
  if (forced && 'error' in forced) return forced;
  return {
    model: body.model,
    stream,
    userText,
    toolResults,
    inputChars: chars,
    maxTokens: typeof max === 'number' && max > 0 ? max : undefined,
    stop: stopList(body.stop),
    json: isObj(rf) && (rf.type === 'json_object' || rf.type === 'json_schema'),
    schema,
    forcedTool: forced,
    includeUsage: stream && isObj(so) && so.include_usage === true,
    choices,
  };
}

/** OpenAI's `n`: an integer from 1 to 128, 1 when absent or null (its documented default). */
function readChoiceCount(n: unknown): number | ReadError {
  if (n === undefined || n === null) return 1;
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    return {
      error: `Invalid type for 'n': expected an integer, but got ${typeof n} instead.`,
      param: 'n',
    };
  }
  if (n < 1) {
    return {
      error: `Invalid 'n': integer below minimum value. Expected a value >= 1, but got ${n} instead.`,
      param: 'n',
    };
  }
  if (n > 128) {
    return {
      error: `Invalid 'n': integer above maximum value. Expected a value <= 128, but got ${n} instead.`,
      param: 'n',
    };
  }
  return n;
}
