import { isRecord } from '../../../common/validation/is-record';

/** Characters per token: the usual rule of thumb for English text with BPE tokenizers. */
const CHARS_PER_TOKEN = 4;
/** Output allowance when neither the request, the agent nor the catalog names a maximum. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 4_096;

type Obj = Record<string, unknown>;

/** What the estimate needs besides the request body. */
export interface EstimateContext {
  /** Characters of an agent's system prompt, when the request runs one. */
  promptChars?: number;
  /** The agent's configured max_tokens. */
  agentMaxTokens?: number;
  /** The catalog's max output of the model the request targets. */
  catalogMaxOutput?: number;
}

/**
 * A cheap upper-bound-ish guess of the tokens one request will use, made before the call (the
 * body is not validated yet, so it is read defensively): input as characters / 4 over the
 * messages (string contents and text parts, tool-call arguments, the agent route's `user`) and
 * the agent's prompt, plus the most output the request allows — its own `max_completion_tokens`
 * / `max_tokens` (or `configuration.max_tokens` on the agent route), else the agent's, else the
 * catalog's max output for the model. Thread history loaded later is not counted here; it is in
 * the real usage the reservation is settled with.
 */
export function estimateTokens(body: unknown, ctx: EstimateContext = {}): number {
  const { input, output } = estimateTokenParts(body, ctx);
  return input + output;
}

/** The same estimate split into input and output tokens (they are priced differently). */
export function estimateTokenParts(
  body: unknown,
  ctx: EstimateContext = {},
): { input: number; output: number } {
  const b = isRecord(body) ? body : {};
  // An embeddings request (`input`, no messages): its input only, it produces no output.
  if (b.messages === undefined && b.input !== undefined) {
    return { input: embeddingInputTokens(b.input), output: 0 };
  }
  const chars = messageChars(b.messages) + textChars(b.user) + (ctx.promptChars ?? 0);
  const input = Math.ceil(chars / CHARS_PER_TOKEN);
  const output =
    requestedMaxOutput(b) ??
    ctx.agentMaxTokens ??
    (ctx.catalogMaxOutput && ctx.catalogMaxOutput > 0 ? ctx.catalogMaxOutput : undefined) ??
    DEFAULT_MAX_OUTPUT_TOKENS;
  return { input, output };
}

/** The `<service>/<model>` a body names in `model` (not `agent/...`), if any. */
export function requestedModel(body: unknown): { service: string; model: string } | undefined {
  const model = isRecord(body) ? body.model : undefined;
  if (typeof model !== 'string') return undefined;
  const slash = model.indexOf('/');
  if (slash <= 0 || slash === model.length - 1) return undefined;
  return { service: model.slice(0, slash), model: model.slice(slash + 1) };
}

function requestedMaxOutput(b: Obj): number | undefined {
  const config = isRecord(b.configuration) ? b.configuration : {};
  for (const v of [b.max_completion_tokens, b.max_tokens, config.max_tokens]) {
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) return Math.ceil(v);
  }
  return undefined;
}

function messageChars(messages: unknown): number {
  if (!Array.isArray(messages)) return 0;
  let chars = 0;
  for (const m of messages) {
    if (!isRecord(m)) continue;
    chars += textChars(m.content);
    if (Array.isArray(m.tool_calls)) {
      for (const call of m.tool_calls) {
        const fn = isRecord(call) && isRecord(call.function) ? call.function : undefined;
        if (fn) chars += textChars(fn.name) + textChars(fn.arguments);
      }
    }
  }
  return chars;
}

/** `/v1/embeddings` input: strings as characters / 4, token arrays by their length. */
function embeddingInputTokens(input: unknown): number {
  const items = Array.isArray(input) && input.every((t) => typeof t === 'number') ? [input] : input;
  if (!Array.isArray(items)) return Math.ceil(textChars(items) / CHARS_PER_TOKEN);
  let tokens = 0;
  for (const item of items) {
    if (typeof item === 'string') tokens += Math.ceil(item.length / CHARS_PER_TOKEN);
    else if (Array.isArray(item)) tokens += item.length;
  }
  return tokens;
}

/** A string, or an array of content parts whose `text` counts (images are not estimated). */
function textChars(content: unknown): number {
  if (typeof content === 'string') return content.length;
  if (!Array.isArray(content)) return 0;
  let chars = 0;
  for (const part of content) {
    if (typeof part === 'string') chars += part.length;
    else if (isRecord(part) && typeof part.text === 'string') chars += part.text.length;
  }
  return chars;
}
