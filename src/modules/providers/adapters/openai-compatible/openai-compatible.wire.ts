/**
 * The OpenAI chat-completions wire shapes as we send them. Typed loosely on purpose: each
 * service adds or renames fields (`random_seed`, `extra_content`, ...) that the `openai` SDK's
 * types do not know; the SDK serialises the body as given.
 */
export interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
  [extra: string]: unknown;
}

export interface WireMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
  content: unknown;
  name?: string;
  tool_calls?: WireToolCall[];
  tool_call_id?: string;
  [extra: string]: unknown;
}

export interface WireBody {
  model: string;
  messages: WireMessage[];
  stream?: boolean;
  [field: string]: unknown;
}
