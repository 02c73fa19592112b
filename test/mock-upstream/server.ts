/**
 * Mock LLM upstream: speaks the OpenAI chat-completions and the Anthropic Messages wire formats
 * (JSON bodies, SSE framing, headers, error bodies) so the official `openai` and
 * `@anthropic-ai/sdk` clients can be pointed at it with only their base URL changed.
 *
 * Dependency-free (node:http only). Behaviour is steered per request by directives, either
 * `x-mock-<name>` request headers or a `#mock{...json...}` block embedded in the text of the last
 * user message (see README.md). The only state shared between requests is the fail-first counter
 * per directive `key` and, when recording is on, the list of recorded requests.
 */
import * as http from 'node:http';
import { handleEmbeddings } from './embeddings';
import { schemaInstance } from './schema-instance';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  /** Lower-cased header names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** Parsed JSON body (the raw string when it is not JSON, `undefined` when empty). */
  body: unknown;
  /** The `key` directive of the request, when it had one. */
  key?: string;
  /** `Date.now()` when the request was received. */
  at: number;
  /** HTTP status the mock answered (set once the headers are sent). */
  status?: number;
  /** True when the client went away before the response was complete (abort, timeout). */
  aborted?: boolean;
}

export interface RequestFilter {
  key?: string;
  /** Exact path or a path suffix, e.g. `/chat/completions`. */
  path?: string;
}

export interface MockUpstreamOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Record requests (default true). Turn off for load benchmarks. */
  record?: boolean;
  /** Keep at most this many recorded requests, dropping the oldest (default 10000). */
  maxRecorded?: number;
}

export interface MockUpstream {
  /** e.g. `http://127.0.0.1:PORT` (no trailing slash, no `/v1`). */
  url: string;
  port: number;
  requests(filter?: RequestFilter): RecordedRequest[];
  /** Forget recorded requests and fail-first counters (only those of `key` when given). */
  clear(filter?: { key?: string }): void;
  /**
   * Resolves with the first recorded request (already recorded or future) matching `predicate`,
   * re-checked whenever a request is recorded, answered or aborted. Rejects after `timeoutMs`
   * (default 5000). Lets tests wait for an event (e.g. `aborted: true`) without sleeping.
   */
  waitFor(predicate: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  close(): Promise<void>;
}

export interface MockToolCall {
  name: string;
  arguments: unknown;
}

/** Per-request control directives (JSON keys of `#mock{...}`; headers `x-mock-<key with ->`). */
export interface MockDirectives {
  status?: number;
  retry_after?: number;
  retry_after_ms?: number;
  fail_first?: number;
  key?: string;
  delay_ms?: number;
  stall_after?: number;
  tool_call?: MockToolCall[];
  malformed?: boolean;
  content?: string;
  chunks?: number;
  chunk_delay_ms?: number;
  stream_error?: number;
  /** Prompt-cache tokens the usage reports as read (Anthropic and OpenAI) / written (Anthropic). */
  cache_read?: number;
  cache_write?: number;
}

export const MOCK_DIRECTIVE_MARK = '#mock';

/** Build the `#mock{...}` text for a message (helper for tests). */
export function mockDirective(d: Record<string, unknown>): string {
  return `${MOCK_DIRECTIVE_MARK}${JSON.stringify(d)}`;
}

export const MOCK_OPENAI_MODELS: readonly string[] = [
  'gpt-4o-mini',
  'gpt-4o',
  'gpt-4.1-mini',
  'gpt-4.1',
  'o4-mini',
];
export const MOCK_ANTHROPIC_MODELS: readonly string[] = [
  'claude-sonnet-4-6',
  'claude-haiku-4-5-20251001',
  'claude-opus-4-7',
];

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

type Provider = 'openai' | 'anthropic';
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** The Anthropic API version from which temperature/top_p/top_k are rejected. */
const ANTHROPIC_NO_SAMPLING_FROM = '2026-10-21';

const BOOT = randomBytes(6).toString('hex');
let seq = 0;
const nextId = (): string => `${BOOT}${(++seq).toString(36).padStart(6, '0')}`;

const tokens = (chars: number): number => Math.ceil(chars / 4);

class DirectiveError extends Error {}

function flattenHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(h)) {
    const v = h[name];
    if (v !== undefined) out[name] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function headerString(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

// ---------------------------------------------------------------------------------------------
// Directives
// ---------------------------------------------------------------------------------------------

function num(v: unknown, name: string, min: number, max: number): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max) {
    throw new DirectiveError(`"${name}" must be a number between ${min} and ${max}`);
  }
  return n;
}

function bool(v: unknown, name: string): boolean {
  if (v === true || v === 'true' || v === 1 || v === '1') return true;
  if (v === false || v === 'false' || v === 0 || v === '0') return false;
  throw new DirectiveError(`"${name}" must be a boolean`);
}

function str(v: unknown, name: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new DirectiveError(`"${name}" must be a string`);
}

function toolCalls(v: unknown): MockToolCall[] {
  const list: unknown[] = Array.isArray(v) ? v : [v];
  if (list.length === 0) throw new DirectiveError('"tool_call" must not be empty');
  return list.map((t) => {
    if (!isObj(t) || typeof t.name !== 'string' || t.name === '') {
      throw new DirectiveError('"tool_call" must be {"name": string, "arguments": object}');
    }
    return { name: t.name, arguments: t.arguments === undefined ? {} : t.arguments };
  });
}

function applyDirectives(target: MockDirectives, src: Obj): void {
  for (const k of Object.keys(src)) {
    const v = src[k];
    switch (k) {
      case 'status':
        target.status = Math.trunc(num(v, k, 100, 599));
        break;
      case 'retry_after':
        target.retry_after = num(v, k, 0, 86400);
        break;
      case 'retry_after_ms':
        target.retry_after_ms = num(v, k, 0, 86400000);
        break;
      case 'fail_first':
        target.fail_first = Math.trunc(num(v, k, 0, 1e9));
        break;
      case 'key':
        target.key = str(v, k);
        break;
      case 'delay_ms':
        target.delay_ms = num(v, k, 0, 3600000);
        break;
      case 'stall_after':
        target.stall_after = Math.trunc(num(v, k, 0, 1e9));
        break;
      case 'tool_call':
        target.tool_call = toolCalls(v);
        break;
      case 'malformed':
        target.malformed = bool(v, k);
        break;
      case 'content':
        target.content = str(v, k);
        break;
      case 'chunks':
        target.chunks = Math.trunc(num(v, k, 1, 1e6));
        break;
      case 'chunk_delay_ms':
        target.chunk_delay_ms = num(v, k, 0, 600000);
        break;
      case 'cache_read':
      case 'cache_write':
        target[k] = Math.trunc(num(v, k, 0, 1e9));
        break;
      case 'stream_error':
        if (v === true || v === 'true') target.stream_error = 0;
        else if (v === false || v === 'false') delete target.stream_error;
        else target.stream_error = Math.trunc(num(v, k, 400, 599));
        break;
      default:
        throw new DirectiveError(`unknown directive "${k}"`);
    }
  }
}

const HEADER_PREFIX = 'x-mock-';

function headerDirectives(req: http.IncomingMessage, target: MockDirectives): void {
  let src: Obj | undefined;
  for (const name of Object.keys(req.headers)) {
    if (!name.startsWith(HEADER_PREFIX)) continue;
    const raw = headerString(req, name) ?? '';
    const key = name.slice(HEADER_PREFIX.length).replace(/-/g, '_');
    let value: unknown = raw;
    if (key === 'tool_call') {
      try {
        value = JSON.parse(raw);
      } catch {
        throw new DirectiveError(`header ${name} must be JSON`);
      }
    }
    (src ??= {})[key] = value;
  }
  if (src) applyDirectives(target, src);
}

/** Finds `#mock{...}` in `text`; returns the text without it and the parsed object. */
export function extractDirective(text: string): { text: string; directive?: Obj } {
  const at = text.indexOf(`${MOCK_DIRECTIVE_MARK}{`);
  if (at === -1) return { text };
  const start = at + MOCK_DIRECTIVE_MARK.length;
  let depth = 0;
  let inString = false;
  let end = -1;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) {
      end = i + 1;
      break;
    }
  }
  if (end === -1) throw new DirectiveError('unterminated #mock{...} directive');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(start, end));
  } catch (e) {
    throw new DirectiveError(`#mock{...} is not valid JSON: ${(e as Error).message}`);
  }
  if (!isObj(parsed)) throw new DirectiveError('#mock{...} must be a JSON object');
  return { text: text.slice(0, at) + text.slice(end), directive: parsed };
}

// ---------------------------------------------------------------------------------------------
// Request reading (provider-neutral view of the request)
// ---------------------------------------------------------------------------------------------

interface ChatInput {
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

interface ForcedTool {
  name: string;
  schema: unknown;
  /** Forced by name: called even after tool results (a required "any tool" is not). */
  named: boolean;
}

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

/** The tool a tool_choice forces: a named one, or the first when any tool is required. */
function forcedTool(
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

function openaiContentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const part of content) {
    if (isObj(part) && typeof part.text === 'string') out += (out ? '\n' : '') + part.text;
  }
  return out;
}

function anthropicBlocksText(content: unknown, withToolResults: boolean): string {
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

function stopList(v: unknown): string[] {
  if (typeof v === 'string') return v ? [v] : [];
  if (Array.isArray(v)) return v.filter((s): s is string => typeof s === 'string' && s !== '');
  return [];
}

interface ReadError {
  error: string;
  param?: string | null;
}

/** Returns the parsed input, or an error message (400). */
function readOpenAI(body: Obj): ChatInput | ReadError {
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

function readAnthropic(body: Obj, version: string, countOnly = false): ChatInput | ReadError {
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

// ---------------------------------------------------------------------------------------------
// The answer
// ---------------------------------------------------------------------------------------------

interface PlannedToolCall {
  id: string;
  name: string;
  args: string;
  input: unknown;
}

interface Plan {
  text: string;
  toolCalls: PlannedToolCall[];
  finish: 'stop' | 'length' | 'tool_calls' | 'stop_sequence';
  stopSequence: string | null;
  /** Anthropic extended thinking that opens the answer. */
  thinking?: { text: string; signature: string };
  inputTokens: number;
  outputTokens: number;
  cacheRead?: number;
  cacheWrite?: number;
}

function makePlan(provider: Provider, input: ChatInput, d: MockDirectives, userText: string): Plan {
  const inputTokens = tokens(input.inputChars);
  // A forced tool is called with an input generated from its schema (unless a directive chose).
  const calls: MockToolCall[] | undefined =
    d.tool_call ??
    (input.forcedTool && (input.forcedTool.named || !input.toolResults)
      ? [{ name: input.forcedTool.name, arguments: schemaInstance(input.forcedTool.schema) }]
      : undefined);
  if (calls && (!input.toolResults || (!d.tool_call && input.forcedTool?.named))) {
    let out = 0;
    const toolCalls = calls.map((t) => {
      const args = JSON.stringify(t.arguments);
      out += tokens(t.name.length + args.length);
      const id = provider === 'openai' ? `call_${nextId()}` : `toolu_01${nextId()}`;
      return { id, name: t.name, args, input: t.arguments };
    });
    return {
      text: '',
      toolCalls,
      finish: 'tool_calls',
      stopSequence: null,
      inputTokens,
      outputTokens: out,
    };
  }
  let text: string;
  if (d.content !== undefined) text = d.content;
  else if (input.toolResults) text = `Tool said: ${input.toolResults.join('\n')}`;
  else if (input.schema !== undefined) text = JSON.stringify(schemaInstance(input.schema));
  else if (input.json) text = JSON.stringify({ echo: userText });
  else text = `Echo: ${userText}`;
  let finish: Plan['finish'] = 'stop';
  let stopSequence: string | null = null;
  let cut = -1;
  for (const s of input.stop) {
    const i = text.indexOf(s);
    if (i !== -1 && (cut === -1 || i < cut)) {
      cut = i;
      stopSequence = s;
    }
  }
  if (cut !== -1) {
    text = text.slice(0, cut);
    finish = provider === 'openai' ? 'stop' : 'stop_sequence';
  }
  if (input.maxTokens !== undefined && tokens(text.length) > input.maxTokens) {
    text = text.slice(0, input.maxTokens * 4);
    finish = 'length';
    stopSequence = null;
  }
  return {
    text,
    toolCalls: [],
    finish,
    stopSequence,
    inputTokens,
    outputTokens: tokens(text.length),
  };
}

/**
 * Choice `index` of an `n` > 1 answer: its text ends with ` [choice <index>]` so that the choices
 * differ (a single choice is left as planned). Tool calls already differ by their ids.
 */
function choicePlan(p: Plan, index: number, count: number): Plan {
  if (count === 1 || p.toolCalls.length) return p;
  const text = `${p.text} [choice ${index}]`;
  return { ...p, text, outputTokens: tokens(text.length) };
}

/** Word by word (each piece carries its leading whitespace), or `chunks` near-equal parts. */
export function splitText(text: string, chunks?: number): string[] {
  if (text === '') return [];
  if (chunks !== undefined) return splitEven(text, chunks);
  const pieces: string[] = [...(text.match(/\s*\S+/g) ?? [])];
  const used = pieces.reduce((n, p) => n + p.length, 0);
  if (used < text.length) {
    if (pieces.length) pieces[pieces.length - 1] += text.slice(used);
    else pieces.push(text);
  }
  return pieces;
}

function splitEven(s: string, parts: number): string[] {
  const n = Math.max(1, Math.min(parts, s.length));
  const size = s.length / n;
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(s.slice(Math.round(i * size), Math.round((i + 1) * size)));
  return out;
}

function argFragments(args: string, chunks?: number): string[] {
  if (args === '') return [];
  return splitEven(args, chunks ?? Math.max(2, Math.ceil(args.length / 12)));
}

// ---------------------------------------------------------------------------------------------
// Wire formats
// ---------------------------------------------------------------------------------------------

function openaiErrorKind(status: number): { type: string; code: string | null } {
  if (status === 401) return { type: 'invalid_request_error', code: 'invalid_api_key' };
  if (status === 404) return { type: 'invalid_request_error', code: 'model_not_found' };
  if (status === 429) return { type: 'requests', code: 'rate_limit_exceeded' };
  if (status >= 500) return { type: 'server_error', code: null };
  return { type: 'invalid_request_error', code: null };
}

const ANTHROPIC_ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  409: 'conflict_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

function anthropicErrorType(status: number): string {
  return ANTHROPIC_ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

interface ErrorOpts {
  param?: string | null;
  code?: string | null;
  type?: string;
}

function errorBody(
  provider: Provider,
  status: number,
  message: string,
  requestId: string,
  o: ErrorOpts = {},
): unknown {
  if (provider === 'anthropic') {
    return {
      type: 'error',
      error: { type: o.type ?? anthropicErrorType(status), message },
      request_id: requestId,
    };
  }
  const kind = openaiErrorKind(status);
  return {
    error: {
      message,
      type: o.type ?? kind.type,
      param: o.param ?? null,
      code: o.code === undefined ? kind.code : o.code,
    },
  };
}

interface Usage {
  /** Input tokens that were neither read from nor written to the prompt cache. */
  inputTokens: number;
  outputTokens: number;
  cacheRead?: number;
  cacheWrite?: number;
}

function openaiUsage(u: Usage): Obj {
  return {
    // OpenAI counts cache reads inside prompt_tokens and has no cache writes.
    prompt_tokens: u.inputTokens + (u.cacheRead ?? 0),
    completion_tokens: u.outputTokens,
    total_tokens: u.inputTokens + (u.cacheRead ?? 0) + u.outputTokens,
    prompt_tokens_details: { cached_tokens: u.cacheRead ?? 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function anthropicUsage(u: Usage): Obj {
  return {
    input_tokens: u.inputTokens,
    cache_creation_input_tokens: u.cacheWrite ?? 0,
    cache_read_input_tokens: u.cacheRead ?? 0,
    cache_creation: { ephemeral_5m_input_tokens: u.cacheWrite ?? 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: u.outputTokens,
    service_tier: 'standard',
  };
}

const FINGERPRINT = 'fp_mock0000';

/**
 * The usage of an `n` > 1 answer, as OpenAI reports it: the prompt once, the completion tokens
 * of every choice summed.
 */
function totalUsage(plans: Plan[]): Usage {
  const [first] = plans;
  return {
    inputTokens: first.inputTokens,
    outputTokens: plans.reduce((sum, p) => sum + p.outputTokens, 0),
    cacheRead: first.cacheRead,
    cacheWrite: first.cacheWrite,
  };
}

function openaiCompletion(model: string, plans: Plan[]): Obj {
  return {
    id: `chatcmpl-${nextId()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: plans.map((p, index) => openaiChoice(p, index)),
    usage: openaiUsage(totalUsage(plans)),
    service_tier: 'default',
    system_fingerprint: FINGERPRINT,
  };
}

function openaiChoice(p: Plan, index: number): Obj {
  const message: Obj = {
    role: 'assistant',
    content: p.toolCalls.length ? null : p.text,
    refusal: null,
    annotations: [],
  };
  if (p.toolCalls.length) {
    message.tool_calls = p.toolCalls.map((t) => ({
      id: t.id,
      type: 'function',
      function: { name: t.name, arguments: t.args },
    }));
  }
  return { index, message, logprobs: null, finish_reason: p.finish };
}

function anthropicMessage(model: string, p: Plan): Obj {
  const content: Obj[] = p.toolCalls.length
    ? p.toolCalls.map((t) => ({
        type: 'tool_use',
        id: t.id,
        name: t.name,
        input: t.input,
        caller: { type: 'direct' },
      }))
    : [{ type: 'text', text: p.text }];
  if (p.thinking) {
    content.unshift({
      type: 'thinking',
      thinking: p.thinking.text,
      signature: p.thinking.signature,
    });
  }
  return {
    id: `msg_01${nextId()}`,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: anthropicStopReason(p),
    stop_sequence: p.stopSequence,
    stop_details: null,
    usage: anthropicUsage(p),
  };
}

function anthropicStopReason(p: Plan): string {
  switch (p.finish) {
    case 'tool_calls':
      return 'tool_use';
    case 'length':
      return 'max_tokens';
    case 'stop_sequence':
      return 'stop_sequence';
    default:
      return 'end_turn';
  }
}

/** One SSE frame; `content` marks the frames that carry generated content (text or arguments). */
interface Frame {
  s: string;
  content: boolean;
}

const sse = (data: unknown): string => `data: ${JSON.stringify(data)}\n\n`;
const sseEvent = (type: string, data: Obj): string =>
  `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * An OpenAI stream. With `n` > 1 the choices' chunks interleave (one chunk of each in turn, as
 * OpenAI's arrive mixed), each chunk carrying its choice's `index` and each choice ending with
 * its own finish chunk; the usage chunk (include_usage) comes once, after them all.
 */
function openaiFrames(model: string, plans: Plan[], input: ChatInput, d: MockDirectives): Frame[] {
  const id = `chatcmpl-${nextId()}`;
  const created = Math.floor(Date.now() / 1000);
  const perChoice = plans.map((p, index) =>
    openaiChoiceFrames(p, index, input, d, { id, created, model }),
  );
  const frames: Frame[] = [];
  for (let i = 0; perChoice.some((f) => i < f.length); i++) {
    for (const f of perChoice) if (i < f.length) frames.push(f[i]);
  }
  if (input.includeUsage) {
    frames.push({
      s: sse({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        service_tier: 'default',
        system_fingerprint: FINGERPRINT,
        choices: [],
        usage: openaiUsage(totalUsage(plans)),
      }),
      content: false,
    });
  }
  frames.push({ s: 'data: [DONE]\n\n', content: false });
  return frames;
}

/** One choice's chunks: its role chunk, its content or tool-call deltas, its finish chunk. */
function openaiChoiceFrames(
  p: Plan,
  choice: number,
  input: ChatInput,
  d: MockDirectives,
  meta: { id: string; created: number; model: string },
): Frame[] {
  const chunk = (delta: Obj, finish: string | null): string => {
    const c: Obj = {
      id: meta.id,
      object: 'chat.completion.chunk',
      created: meta.created,
      model: meta.model,
      service_tier: 'default',
      system_fingerprint: FINGERPRINT,
      choices: [{ index: choice, delta, logprobs: null, finish_reason: finish }],
    };
    if (input.includeUsage) c.usage = null;
    return sse(c);
  };
  const frames: Frame[] = [];
  if (p.toolCalls.length) {
    p.toolCalls.forEach((t, index) => {
      const head = { index, id: t.id, type: 'function', function: { name: t.name, arguments: '' } };
      const delta: Obj =
        index === 0
          ? { role: 'assistant', content: null, tool_calls: [head], refusal: null }
          : { tool_calls: [head] };
      frames.push({ s: chunk(delta, null), content: false });
      for (const frag of argFragments(t.args, d.chunks)) {
        frames.push({
          s: chunk({ tool_calls: [{ index, function: { arguments: frag } }] }, null),
          content: true,
        });
      }
    });
  } else {
    frames.push({
      s: chunk({ role: 'assistant', content: '', refusal: null }, null),
      content: false,
    });
    for (const piece of splitText(p.text, d.chunks)) {
      frames.push({ s: chunk({ content: piece }, null), content: true });
    }
  }
  frames.push({ s: chunk({}, p.finish), content: false });
  return frames;
}

function anthropicFrames(model: string, p: Plan, d: MockDirectives): Frame[] {
  const frames: Frame[] = [];
  const push = (type: string, data: Obj, content = false): void => {
    frames.push({ s: sseEvent(type, data), content });
  };
  push('message_start', {
    type: 'message_start',
    message: {
      id: `msg_01${nextId()}`,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      stop_details: null,
      usage: anthropicUsage({ ...p, outputTokens: 1 }),
    },
  });
  const blocks: { start: Obj; deltas: Obj[] }[] = p.toolCalls.length
    ? p.toolCalls.map((t) => ({
        start: { type: 'tool_use', id: t.id, name: t.name, input: {}, caller: { type: 'direct' } },
        deltas: argFragments(t.args, d.chunks).map((partial_json) => ({
          type: 'input_json_delta',
          partial_json,
        })),
      }))
    : [
        {
          start: { type: 'text', text: '' },
          deltas: splitText(p.text, d.chunks).map((text) => ({ type: 'text_delta', text })),
        },
      ];
  if (p.thinking) {
    // Anthropic's documented thinking stream: an empty thinking block, thinking_delta pieces,
    // one signature_delta just before content_block_stop.
    blocks.unshift({
      start: { type: 'thinking', thinking: '' },
      deltas: [
        ...splitText(p.thinking.text, d.chunks).map((thinking) => ({
          type: 'thinking_delta',
          thinking,
        })),
        { type: 'signature_delta', signature: p.thinking.signature },
      ],
    });
  }
  blocks.forEach((b, index) => {
    push('content_block_start', { type: 'content_block_start', index, content_block: b.start });
    if (index === 0) push('ping', { type: 'ping' });
    for (const delta of b.deltas)
      push('content_block_delta', { type: 'content_block_delta', index, delta }, true);
    push('content_block_stop', { type: 'content_block_stop', index });
  });
  push('message_delta', {
    type: 'message_delta',
    delta: {
      stop_reason: anthropicStopReason(p),
      stop_sequence: p.stopSequence,
      stop_details: null,
    },
    usage: {
      input_tokens: p.inputTokens,
      cache_creation_input_tokens: p.cacheWrite ?? 0,
      cache_read_input_tokens: p.cacheRead ?? 0,
      output_tokens: p.outputTokens,
    },
  });
  push('message_stop', { type: 'message_stop' });
  return frames;
}

// ---------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------

interface Ctx {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  provider: Provider;
  requestId: string;
  started: number;
  rec?: RecordedRequest;
  closed: boolean;
}

interface Waiter {
  predicate: (r: RecordedRequest) => boolean;
  resolve: (r: RecordedRequest) => void;
}

class State {
  readonly recorded: RecordedRequest[] = [];
  readonly failCounts = new Map<string, number>();
  readonly waiters = new Set<Waiter>();

  constructor(
    readonly record: boolean,
    readonly maxRecorded: number,
  ) {}

  add(rec: RecordedRequest): void {
    this.recorded.push(rec);
    if (this.recorded.length > this.maxRecorded)
      this.recorded.splice(0, this.recorded.length - this.maxRecorded);
    this.notify(rec);
  }

  notify(rec: RecordedRequest): void {
    if (this.waiters.size === 0) return;
    for (const w of this.waiters) {
      if (w.predicate(rec)) {
        this.waiters.delete(w);
        w.resolve(rec);
      }
    }
  }

  filter(f: RequestFilter = {}): RecordedRequest[] {
    return this.recorded.filter(
      (r) =>
        (f.key === undefined || r.key === f.key) &&
        (f.path === undefined || r.path === f.path || r.path.endsWith(f.path)),
    );
  }

  clear(key?: string): number {
    if (key === undefined) {
      const n = this.recorded.length;
      this.recorded.length = 0;
      this.failCounts.clear();
      return n;
    }
    this.failCounts.delete(key);
    const keep = this.recorded.filter((r) => r.key !== key);
    const n = this.recorded.length - keep.length;
    this.recorded.length = 0;
    this.recorded.push(...keep);
    return n;
  }
}

function baseHeaders(ctx: Ctx): http.OutgoingHttpHeaders {
  if (ctx.provider === 'anthropic') return { 'request-id': ctx.requestId };
  return {
    'x-request-id': ctx.requestId,
    'openai-version': '2020-10-01',
    'openai-processing-ms': String(Date.now() - ctx.started),
  };
}

function markStatus(state: State, ctx: Ctx, status: number): void {
  if (ctx.rec) {
    ctx.rec.status = status;
    state.notify(ctx.rec);
  }
}

function sendJson(
  state: State,
  ctx: Ctx,
  status: number,
  body: unknown,
  extra?: http.OutgoingHttpHeaders,
): void {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  ctx.res.writeHead(status, {
    ...baseHeaders(ctx),
    ...extra,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
  });
  ctx.res.end(payload);
  markStatus(state, ctx, status);
}

function sendError(
  state: State,
  ctx: Ctx,
  status: number,
  message: string,
  o?: ErrorOpts,
  extra?: http.OutgoingHttpHeaders,
): void {
  sendJson(state, ctx, status, errorBody(ctx.provider, status, message, ctx.requestId, o), extra);
}

function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else parts.push(c);
    });
    req.on('end', () =>
      resolve(tooLarge ? null : parts.length === 1 ? parts[0] : Buffer.concat(parts)),
    );
    req.on('error', reject);
  });
}

function wait(ctx: Ctx, ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      ctx.res.off('close', done);
      resolve();
    }
    ctx.res.once('close', done);
  });
}

function garbageFrame(provider: Provider): string {
  return provider === 'openai'
    ? 'data: {"id":"chatcmpl-broken","choices":[{"delta": this is not json\n\n'
    : 'event: content_block_delta\ndata: {"type":"content_block_delta","delta": this is not json\n\n';
}

function streamErrorFrame(provider: Provider, status: number): string {
  if (provider === 'openai') {
    return sse({
      error: {
        message: `mock stream error ${status}`,
        type: 'server_error',
        param: null,
        code: null,
      },
    });
  }
  const type = anthropicErrorType(status);
  return sseEvent('error', {
    type: 'error',
    error: {
      type,
      message: type === 'overloaded_error' ? 'Overloaded' : `mock stream error ${status}`,
    },
  });
}

async function sendStream(
  state: State,
  ctx: Ctx,
  frames: Frame[],
  d: MockDirectives,
): Promise<void> {
  const contentAt: number[] = [];
  frames.forEach((f, i) => {
    if (f.content) contentAt.push(i);
  });
  let out = frames.map((f) => f.s);
  let stall = false;
  let cut = out.length;
  let tail: string | undefined;
  if (d.stream_error !== undefined) {
    cut = (contentAt[0] ?? 0) + 1;
    tail = streamErrorFrame(
      ctx.provider,
      d.stream_error || (ctx.provider === 'anthropic' ? 529 : 500),
    );
  }
  if (d.stall_after !== undefined) {
    const n = d.stall_after;
    const at =
      contentAt.length === 0
        ? 1
        : n === 0
          ? contentAt[0]
          : contentAt[Math.min(n, contentAt.length) - 1] + 1;
    if (at <= cut) {
      cut = at;
      stall = true;
      tail = undefined;
    }
  }
  out = out.slice(0, cut);
  if (tail) out.push(tail);
  if (d.malformed) {
    const at = Math.min((contentAt[0] ?? 0) + 1, out.length);
    out.splice(at, 0, garbageFrame(ctx.provider));
  }

  const { res } = ctx;
  res.writeHead(200, {
    ...baseHeaders(ctx),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
  });
  markStatus(state, ctx, 200);
  const delay = d.chunk_delay_ms ?? 0;
  if (delay > 0) {
    for (let i = 0; i < out.length; i++) {
      if (ctx.closed) return;
      if (i > 0) await wait(ctx, delay);
      if (ctx.closed) return;
      res.write(out[i]);
    }
    if (!stall && !ctx.closed) res.end();
    return;
  }
  if (stall) res.write(out.join(''));
  else res.end(out.join(''));
  // When stalled the socket stays open until the client goes away (or the server closes).
}

async function handleChat(
  state: State,
  ctx: Ctx,
  body: unknown,
  countTokens = false,
): Promise<void> {
  const { req, provider } = ctx;
  let version = '';
  if (provider === 'anthropic') {
    version = headerString(req, 'anthropic-version') ?? '';
    if (!version) return sendError(state, ctx, 400, 'anthropic-version: header is required');
    if (!headerString(req, 'x-api-key') && !headerString(req, 'authorization')) {
      return sendError(state, ctx, 401, 'x-api-key header is required');
    }
  } else if (!/^Bearer\s+\S/i.test(headerString(req, 'authorization') ?? '')) {
    return sendError(
      state,
      ctx,
      401,
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      { code: null },
    );
  }
  if (!isObj(body)) {
    return sendError(
      state,
      ctx,
      400,
      provider === 'openai'
        ? 'We could not parse the JSON body of your request. The OpenAI API expects a JSON payload.'
        : 'There was an issue with the request body: expected a JSON object.',
    );
  }
  const input =
    provider === 'openai' ? readOpenAI(body) : readAnthropic(body, version, countTokens);
  if ('error' in input) {
    return sendError(state, ctx, 400, input.error, {
      param: input.param ?? null,
    });
  }
  if (countTokens) return sendJson(state, ctx, 200, { input_tokens: tokens(input.inputChars) });

  const d: MockDirectives = {};
  let userText: string;
  try {
    headerDirectives(req, d);
    const found = extractDirective(input.userText);
    if (found.directive) applyDirectives(d, found.directive);
    userText = found.text.trim();
  } catch (e) {
    if (ctx.rec && d.key !== undefined) ctx.rec.key = d.key;
    return sendError(state, ctx, 400, `mock: ${(e as Error).message}`);
  }
  if (d.key !== undefined && ctx.rec) {
    ctx.rec.key = d.key;
    state.notify(ctx.rec);
  }

  let failStatus: number | undefined;
  if (d.fail_first !== undefined && d.fail_first > 0) {
    if (d.key === undefined) return sendError(state, ctx, 400, 'mock: "fail_first" needs a "key"');
    const n = state.failCounts.get(d.key) ?? 0;
    if (n < d.fail_first) {
      state.failCounts.set(d.key, n + 1);
      failStatus = d.status !== undefined && d.status >= 400 ? d.status : 500;
    }
  } else if (d.status !== undefined && d.status >= 400) {
    failStatus = d.status;
  }

  if (d.delay_ms) {
    await wait(ctx, d.delay_ms);
    if (ctx.closed) return;
  }

  if (failStatus !== undefined) {
    const extra: http.OutgoingHttpHeaders = {};
    if (d.retry_after !== undefined) extra['retry-after'] = String(d.retry_after);
    if (d.retry_after_ms !== undefined) extra['retry-after-ms'] = String(d.retry_after_ms);
    const message =
      provider === 'anthropic' && failStatus === 529 ? 'Overloaded' : `mock error ${failStatus}`;
    return sendError(state, ctx, failStatus, message, {}, extra);
  }

  const plans = Array.from({ length: input.choices }, (_, index) =>
    choicePlan(makePlan(provider, input, d, userText), index, input.choices),
  );
  const plan = plans[0];
  if (input.thinking) {
    plan.thinking = { text: `Thinking about: ${userText}`, signature: `sig_${nextId()}` };
    plan.outputTokens += tokens(plan.thinking.text.length);
  }
  plan.cacheRead = d.cache_read;
  plan.cacheWrite = d.cache_write;
  if (input.stream) {
    const frames =
      provider === 'openai'
        ? openaiFrames(input.model, plans, input, d)
        : anthropicFrames(input.model, plan, d);
    return sendStream(state, ctx, frames, d);
  }
  if (d.malformed) {
    const broken =
      provider === 'openai'
        ? `{"id":"chatcmpl-${nextId()}","object":"chat.completion","choices":[{"index":0,"message":`
        : `{"id":"msg_01${nextId()}","type":"message","content":[{"type":"text","text":`;
    return sendJson(state, ctx, 200, broken);
  }
  sendJson(
    state,
    ctx,
    200,
    provider === 'openai'
      ? openaiCompletion(input.model, plans)
      : anthropicMessage(input.model, plan),
  );
}

function handleModels(state: State, ctx: Ctx): void {
  const { req } = ctx;
  if (ctx.provider === 'anthropic') {
    if (!headerString(req, 'x-api-key') && !headerString(req, 'authorization')) {
      return sendError(state, ctx, 401, 'x-api-key header is required');
    }
    const data = MOCK_ANTHROPIC_MODELS.map((id) => ({
      type: 'model',
      id,
      display_name: id,
      created_at: '2025-01-01T00:00:00Z',
    }));
    return sendJson(state, ctx, 200, {
      data,
      has_more: false,
      first_id: data[0]?.id ?? null,
      last_id: data[data.length - 1]?.id ?? null,
    });
  }
  if (!/^Bearer\s+\S/i.test(headerString(req, 'authorization') ?? '')) {
    return sendError(state, ctx, 401, "You didn't provide an API key.", { code: null });
  }
  sendJson(state, ctx, 200, {
    object: 'list',
    data: MOCK_OPENAI_MODELS.map((id) => ({
      id,
      object: 'model',
      created: 1715367049,
      owned_by: 'system',
    })),
  });
}

function handleControl(
  state: State,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  path: string,
  query: string,
): void {
  const json = (status: number, body: unknown): void => {
    const payload = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
    });
    res.end(payload);
  };
  const q = new URLSearchParams(query);
  const key = q.get('key') ?? undefined;
  if (path === '/__mock/health' && req.method === 'GET') {
    return json(200, { status: 'ok', recording: state.record, recorded: state.recorded.length });
  }
  if (path === '/__mock/requests' && req.method === 'GET') {
    return json(200, state.filter({ key, path: q.get('path') ?? undefined }));
  }
  if (path === '/__mock/requests' && req.method === 'DELETE') {
    return json(200, { cleared: state.clear(key) });
  }
  json(404, {
    error: {
      message: `Invalid URL (${req.method ?? 'GET'} ${path})`,
      type: 'invalid_request_error',
      param: null,
      code: null,
    },
  });
}

async function handle(
  state: State,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const url = req.url ?? '/';
  const qi = url.indexOf('?');
  const path = qi === -1 ? url : url.slice(0, qi);
  const method = req.method ?? 'GET';

  let raw: Buffer | null = null;
  if (method !== 'GET' && method !== 'HEAD') raw = await readBody(req);
  if (path.startsWith('/__mock/')) {
    return handleControl(state, req, res, path, qi === -1 ? '' : url.slice(qi + 1));
  }

  let route: 'chat' | 'count' | 'models' | 'none' = 'none';
  let provider: Provider = 'openai';
  if (method === 'POST' && path.endsWith('/chat/completions')) route = 'chat';
  else if (method === 'POST' && path.endsWith('/messages/count_tokens')) {
    route = 'count';
    provider = 'anthropic';
  } else if (method === 'POST' && path.endsWith('/messages')) {
    route = 'chat';
    provider = 'anthropic';
  } else if (method === 'GET' && path.endsWith('/models')) {
    route = 'models';
    if (req.headers['anthropic-version'] !== undefined) provider = 'anthropic';
  }

  let body: unknown;
  let badJson = false;
  if (raw && raw.length) {
    const text = raw.toString('utf8');
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
      badJson = true;
    }
  }

  const ctx: Ctx = {
    req,
    res,
    provider,
    requestId: `req_${provider === 'anthropic' ? '011C' : ''}${nextId()}`,
    started: Date.now(),
    closed: false,
  };
  if (state.record) {
    ctx.rec = { method, path, headers: flattenHeaders(req.headers), body, at: ctx.started };
    state.add(ctx.rec);
  }
  res.on('close', () => {
    ctx.closed = true;
    if (!res.writableFinished && ctx.rec) {
      ctx.rec.aborted = true;
      state.notify(ctx.rec);
    }
  });

  if (raw === null && method !== 'GET' && method !== 'HEAD') {
    return sendError(state, ctx, 413, 'Request exceeds the maximum allowed number of bytes.');
  }
  if (method === 'POST' && path.endsWith('/embeddings'))
    return handleEmbeddings(res, badJson ? undefined : body, ctx.requestId);
  if (route === 'none') {
    return sendError(state, ctx, 404, `Invalid URL (${method} ${path})`, { code: null });
  }
  if (route === 'models') return handleModels(state, ctx);
  return handleChat(state, ctx, badJson ? undefined : body, route === 'count');
}

export async function startMockUpstream(opts: MockUpstreamOptions = {}): Promise<MockUpstream> {
  const host = opts.host ?? '127.0.0.1';
  const state = new State(opts.record ?? true, opts.maxRecorded ?? 10000);
  const server = http.createServer({ keepAlive: true }, (req, res) => {
    handle(state, req, res).catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const payload = JSON.stringify({
        error: {
          message: `mock internal error: ${(e as Error).message}`,
          type: 'server_error',
          param: null,
          code: null,
        },
      });
      res.writeHead(500, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
      });
      res.end(payload);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    requests: (filter) => state.filter(filter),
    clear: (filter) => {
      state.clear(filter?.key);
    },
    waitFor: (predicate, timeoutMs = 5000) => {
      const hit = state.recorded.find(predicate);
      if (hit) return Promise.resolve(hit);
      return new Promise<RecordedRequest>((resolve, reject) => {
        const w: Waiter = {
          predicate,
          resolve: (r) => {
            clearTimeout(timer);
            resolve(r);
          },
        };
        const timer = setTimeout(() => {
          state.waiters.delete(w);
          reject(new Error(`mock upstream: no matching request within ${timeoutMs} ms`));
        }, timeoutMs);
        state.waiters.add(w);
      });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
