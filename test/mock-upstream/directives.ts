/**
 * Per-request directives: `x-mock-<name>` request headers or a `#mock{...json...}` block in the
 * text of the last user message (see README.md). Parsing and validation only; what they do is
 * up to the chat handler and the stream writer.
 */
import type * as http from 'node:http';
import { headerString, isObj, type Obj } from './shared';

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
  /** Anthropic 1-hour cache writes (`cache_creation.ephemeral_1h_input_tokens`), on top of `cache_write`. */
  cache_write_1h?: number;
  /** OpenAI reasoning tokens (`completion_tokens_details.reasoning_tokens`, inside `completion_tokens`). */
  reasoning?: number;
}

export const MOCK_DIRECTIVE_MARK = '#mock';

/** Build the `#mock{...}` text for a message (helper for tests). */
export function mockDirective(d: Record<string, unknown>): string {
  return `${MOCK_DIRECTIVE_MARK}${JSON.stringify(d)}`;
}

/** A bad directive; answered with 400 `mock: <message>`. */
export class DirectiveError extends Error {}

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

export function applyDirectives(target: MockDirectives, src: Obj): void {
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
      case 'cache_write_1h':
      case 'reasoning':
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
export function headerDirectives(req: http.IncomingMessage, target: MockDirectives): void {
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
