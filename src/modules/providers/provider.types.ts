/**
 * The canonical, provider-neutral shapes every module speaks. They follow the OpenAI
 * chat-completion shape (the de-facto lingua franca); adapters translate to and from each
 * service's own wire format, and nothing outside `providers/` ever sees a provider's shape.
 */

import type { ServiceName } from './service-list';

// The service names derive from the service list (one line per service).
export { SERVICES, type ServiceName } from './service-list';

/**
 * Anthropic's prompt-cache breakpoint (`{"type":"ephemeral","ttl"?:"5m"|"1h"}`), kept as the
 * client sent it so that it reaches Anthropic unchanged. Only the Anthropic adapter (and
 * OpenRouter, which forwards it) sends it on; the other services' adapters leave it out.
 */
export type CacheControl = Record<string, unknown>;

export interface TextPart {
  type: 'text';
  text: string;
  cache_control?: CacheControl;
}
export interface ImagePart {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
  cache_control?: CacheControl;
}
export type ContentPart = TextPart | ImagePart;

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/**
 * Claude's extended thinking. Kept so that /v1/messages can show it and so that it is sent back
 * with the assistant turn it belongs to (Anthropic requires it in tool-use loops). Other
 * services neither produce nor receive it.
 */
export type ThinkingBlock =
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string };

export type ChatMessage =
  | { role: 'system' | 'developer'; content: string | TextPart[]; name?: string }
  | { role: 'user'; content: string | ContentPart[]; name?: string }
  | {
      role: 'assistant';
      content: string | TextPart[] | null;
      tool_calls?: ToolCall[];
      thinking?: ThinkingBlock[];
      name?: string;
    }
  | {
      role: 'tool';
      content: string | TextPart[];
      tool_call_id: string;
      /** Anthropic's breakpoint on the `tool_result` block this message came from. */
      cache_control?: CacheControl;
    };

export interface ToolDefinition {
  type: 'function';
  function: {
    name: string;
    description?: string;
    parameters?: Record<string, unknown>;
    strict?: boolean;
  };
  /** Anthropic's breakpoint on a tool definition (caches the tools up to this one). */
  cache_control?: CacheControl;
}

export type ToolChoice =
  'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      json_schema: { name: string; schema?: Record<string, unknown>; strict?: boolean };
    };

/** Sampling and length parameters, validated against the model catalog before a call. */
export interface ModelParams {
  temperature?: number;
  top_p?: number;
  top_k?: number;
  max_tokens?: number;
  stop?: string | string[];
  presence_penalty?: number;
  frequency_penalty?: number;
  seed?: number;
  [name: string]: unknown;
}

export interface ChatRequest {
  service: ServiceName;
  model: string;
  messages: ChatMessage[];
  params?: ModelParams;
  tools?: ToolDefinition[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: ResponseFormat;
  /** End-user id, forwarded where the service accepts one. */
  user?: string;
  /**
   * Set by the catalog (never by a client) when `response_format` travels as a forced tool: the
   * name of that tool, whose call is returned as the message content (see output-tool.ts).
   */
  output_tool?: string;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  /** Input tokens read from the prompt cache (a part of `input_tokens`). */
  cached_tokens: number;
  /**
   * Input tokens written to the prompt cache (Anthropic's cache_creation_input_tokens; included
   * in `input_tokens`). Absent where the service reports none.
   */
  cache_write_tokens?: number;
  /** The part of `cache_write_tokens` written with Anthropic's 1-hour TTL. Absent when none. */
  cache_write_1h_tokens?: number;
  /** Reasoning (thinking) tokens, a part of `output_tokens`. */
  reasoning_tokens: number;
  /**
   * USD, priced by the catalog from the counts above (see costOf); null when the model is not in
   * the catalog (priced as unknown) unless the service reported its own charge (OpenRouter).
   */
  cost_usd: number | null;
}

export interface ChatResult {
  /** Upstream response id where the service gives one. */
  id: string;
  service: ServiceName;
  model: string;
  content: string | null;
  tool_calls: ToolCall[];
  finish_reason: FinishReason;
  /** The stop sequence that ended the answer, where the service says which (Anthropic). */
  stop_sequence?: string;
  /** Extended thinking that preceded the answer (Anthropic, when the request enabled it). */
  thinking?: ThinkingBlock[];
  /**
   * The other choices when the request asked for several (`n` > 1, where the model takes it).
   * The fields above are choice 0, the answer everything else uses (tool loop, thread, cache).
   */
  alternatives?: ChoiceAlternative[];
  /** The upstream's usage over every choice: what the call is billed. */
  usage: Usage;
  /** Unix seconds. */
  created: number;
  /** Which service/model finally answered and how many attempts it took (retries + fallbacks). */
  attempts: number;
}

/** One of the additional choices of an `n` > 1 answer (choice 0 is the result itself). */
export interface ChoiceAlternative {
  /** The choice's index in the upstream answer: 1..n-1. */
  index: number;
  content: string | null;
  tool_calls: ToolCall[];
  finish_reason: FinishReason;
}

/**
 * Normalised streaming events; every adapter yields exactly these. `choice` says which choice
 * of an `n` > 1 answer a text, tool-call or finish event belongs to; absent means choice 0.
 */
export type StreamEvent =
  | { type: 'start'; id: string; service: ServiceName; model: string; created: number }
  | { type: 'text'; text: string; choice?: number }
  | {
      type: 'tool_call';
      choice?: number;
      /** Position of the call in the assistant message (OpenAI's `index`). */
      index: number;
      /** Present on the first fragment of a call. */
      id?: string;
      name?: string;
      /** A fragment of the JSON arguments string. */
      arguments: string;
    }
  | ThinkingEvent
  | { type: 'finish'; finish_reason: FinishReason; stop_sequence?: string; choice?: number }
  | { type: 'usage'; usage: Usage };

/**
 * A fragment of extended thinking: `block` numbers the thinking blocks of one answer; a block
 * gets `thinking` text fragments then its `signature`, or (redacted) its `data` at once.
 */
export interface ThinkingEvent {
  type: 'thinking';
  block: number;
  thinking?: string;
  signature?: string;
  data?: string;
}

export interface CallOptions {
  /** Aborts the upstream call (client disconnect). */
  signal?: AbortSignal;
  /** The org whose provider key wins over the deployment key, when it has one. */
  orgId?: string;
  requestId?: string;
  /** Tried in order when the primary fails after its retries. */
  fallbacks?: Array<{ service: ServiceName; model: string }>;
  timeoutMs?: number;
}

/** One embeddings call (OpenAI's `/embeddings` shape, which every embedding service here speaks). */
export interface EmbeddingRequest {
  service: ServiceName;
  model: string;
  /** Texts, or token arrays (only OpenAI-hosted models accept tokens). */
  input: string | string[] | number[] | number[][];
  /** Shorter vectors, for the models that support it (text-embedding-3, gemini-embedding). */
  dimensions?: number;
  user?: string;
}

export interface EmbeddingResult {
  service: ServiceName;
  model: string;
  /** One vector per input, in input order (whatever order the upstream listed them in). */
  vectors: number[][];
  /** Embeddings have no output: `output_tokens` is 0 and `cost_usd` is the input price. */
  usage: Usage;
  attempts: number;
}
