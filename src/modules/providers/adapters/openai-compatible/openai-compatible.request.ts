import type { ChatMessage, ChatRequest, ContentPart, ToolCall } from '../../provider.types';
import type { WireBody, WireMessage, WireToolCall } from './openai-compatible.wire';

/** Per-service choices the generic request builder needs; subclasses set them. */
export interface RequestDialect {
  /** OpenAI's `developer` role; other services only know `system`. */
  developerRole: boolean;
  /** OpenAI deprecated `max_tokens` (o-series reject it); Mistral rejects the new name. */
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** Ask for the final usage chunk when streaming (`stream_options.include_usage`). */
  streamUsage: boolean;
  /**
   * Content parts keep Anthropic's `cache_control` breakpoints (OpenRouter forwards them); the
   * other services do not know the field, so it is left out for them.
   */
  cacheControl: boolean;
  /** Services that reject `messages[].name` (Groq). */
  dropNames: boolean;
  /** Rewrites tool-call ids into a shape the service accepts (Mistral). */
  toolCallId(id: string): string;
  /** Adds service-specific fields to an outgoing assistant tool call (Gemini's signatures). */
  decorateToolCall(call: WireToolCall): WireToolCall;
}

function wireToolCall(call: ToolCall, d: RequestDialect): WireToolCall {
  return d.decorateToolCall({
    id: d.toolCallId(call.id),
    type: 'function',
    function: { name: call.function.name, arguments: call.function.arguments },
  });
}

/** Content as the service takes it: cache breakpoints only where the dialect forwards them. */
function wireContent<C>(content: C, d: RequestDialect): C {
  if (d.cacheControl || !Array.isArray(content)) return content;
  if (!content.some((p: ContentPart) => p.cache_control)) return content;
  return content.map((p: ContentPart) => {
    if (!p.cache_control) return p;
    const { cache_control: _dropped, ...rest } = p;
    return rest;
  }) as C;
}

function wireMessage(m: ChatMessage, d: RequestDialect): WireMessage {
  switch (m.role) {
    case 'tool':
      return {
        role: 'tool',
        content: wireContent(m.content, d),
        tool_call_id: d.toolCallId(m.tool_call_id),
      };
    case 'assistant': {
      const out: WireMessage = { role: 'assistant', content: wireContent(m.content, d) };
      if (m.tool_calls?.length) out.tool_calls = m.tool_calls.map((c) => wireToolCall(c, d));
      if (m.name && !d.dropNames) out.name = m.name;
      return out;
    }
    case 'developer':
    case 'system': {
      const role = m.role === 'developer' && d.developerRole ? 'developer' : 'system';
      const out: WireMessage = { role, content: wireContent(m.content, d) };
      if (m.name && !d.dropNames) out.name = m.name;
      return out;
    }
    case 'user': {
      const out: WireMessage = { role: 'user', content: wireContent(m.content, d) };
      if (m.name && !d.dropNames) out.name = m.name;
      return out;
    }
  }
}

/** The OpenAI-shape body for a canonical request, before any per-service adjustment. */
export function buildWireBody(req: ChatRequest, stream: boolean, d: RequestDialect): WireBody {
  const body: WireBody = { model: req.model, messages: req.messages.map((m) => wireMessage(m, d)) };
  for (const [name, value] of Object.entries(req.params ?? {})) {
    if (value === undefined) continue;
    body[name === 'max_tokens' ? d.maxTokensField : name] = value;
  }
  if (req.tools?.length) {
    // A tool's cache breakpoint is Anthropic's; no OpenAI-shape tool takes it.
    body.tools = req.tools.some((t) => t.cache_control)
      ? req.tools.map(({ cache_control: _dropped, ...t }) => t)
      : req.tools;
    if (req.tool_choice !== undefined) body.tool_choice = req.tool_choice;
    if (req.parallel_tool_calls !== undefined) body.parallel_tool_calls = req.parallel_tool_calls;
  }
  if (req.response_format) body.response_format = req.response_format;
  if (req.user) body.user = req.user;
  if (stream) {
    body.stream = true;
    if (d.streamUsage) body.stream_options = { include_usage: true };
  }
  return body;
}
