import type Anthropic from '@anthropic-ai/sdk';
import { AppException, ErrorCode } from '../../../../common/errors';
import type {
  CacheControl,
  ChatMessage,
  ChatRequest,
  ContentPart,
  TextPart,
  ToolChoice,
} from '../../provider.types';

type Block = Anthropic.ContentBlockParam;
type ImageMedia = Anthropic.Base64ImageSource['media_type'];

/** Used when neither the request nor the catalog gives `max_tokens`, which Anthropic requires. */
export const ANTHROPIC_FALLBACK_MAX_TOKENS = 4096;
const IMAGE_MEDIA: readonly ImageMedia[] = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];
const JSON_ONLY = 'Respond with a single valid JSON object and nothing else.';

function invalid(param: string, message: string): AppException {
  return new AppException(ErrorCode.VALIDATION_FAILED, message, { status: 400, param });
}

/**
 * A client's prompt-cache breakpoint, copied unchanged onto the block it was on (the SDK types
 * name only `{type:"ephemeral",ttl}`; newer fields must pass too).
 */
function marked<B extends object>(block: B, cache?: CacheControl): B {
  return cache
    ? { ...block, cache_control: cache as unknown as Anthropic.CacheControlEphemeral }
    : block;
}

/** Whether content carries a breakpoint, so that its parts must stay separate blocks. */
function hasMarks(content: string | ContentPart[] | null): content is ContentPart[] {
  return Array.isArray(content) && content.some((p) => p.cache_control);
}

/** Text parts as text blocks, breakpoints kept; Anthropic rejects empty text blocks. */
function textBlocks(parts: TextPart[]): Anthropic.TextBlockParam[] {
  return parts
    .filter((p) => p.text)
    .map((p) => marked<Anthropic.TextBlockParam>({ type: 'text', text: p.text }, p.cache_control));
}

function textOf(content: string | TextPart[] | null): string {
  if (content === null) return '';
  return typeof content === 'string' ? content : content.map((p) => p.text).join('');
}

/** Anthropic tool ids must match ^[a-zA-Z0-9_-]+$; ids minted elsewhere may not. */
export function anthropicToolId(id: string): string {
  const clean = id.replace(/[^a-zA-Z0-9_-]/g, '_');
  return clean || 'toolu_empty';
}

function imageBlock(url: string, param: string): Anthropic.ImageBlockParam {
  if (url.startsWith('data:')) {
    const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
    const media = m?.[1] as ImageMedia | undefined;
    if (!m || !media || !IMAGE_MEDIA.includes(media)) {
      throw invalid(param, `image data URLs must be base64 ${IMAGE_MEDIA.join(', ')}`);
    }
    return { type: 'image', source: { type: 'base64', media_type: media, data: m[2] } };
  }
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw invalid(param, 'image_url must be an http(s) URL or a data: URL');
}

function userBlocks(content: string | ContentPart[], param: string): string | Block[] {
  if (typeof content === 'string') return content;
  return content
    .map((part, j): Block | undefined =>
      part.type === 'text'
        ? part.text
          ? marked<Block>({ type: 'text', text: part.text }, part.cache_control)
          : undefined
        : marked<Block>(
            imageBlock(part.image_url.url, `${param}.content[${j}].image_url`),
            part.cache_control,
          ),
    )
    .filter((b): b is Block => b !== undefined);
}

function parseArguments(args: string, param: string): Record<string, unknown> {
  if (!args.trim()) return {};
  try {
    const parsed: unknown = JSON.parse(args);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // fall through to the error below
  }
  throw invalid(param, 'tool call arguments must be a JSON object');
}

function assistantBlocks(m: Extract<ChatMessage, { role: 'assistant' }>, i: number): Block[] {
  // Thinking goes back first, unchanged: Anthropic checks its signature and requires it in
  // tool-use loops with thinking enabled.
  const blocks: Block[] = (m.thinking ?? []).map((t) =>
    t.type === 'thinking'
      ? { type: 'thinking', thinking: t.thinking, signature: t.signature }
      : { type: 'redacted_thinking', data: t.data },
  );
  if (hasMarks(m.content)) {
    blocks.push(...textBlocks(m.content));
  } else {
    const text = textOf(m.content);
    // Anthropic rejects empty text blocks.
    if (text) blocks.push({ type: 'text', text });
  }
  (m.tool_calls ?? []).forEach((call, j) => {
    blocks.push({
      type: 'tool_use',
      id: anthropicToolId(call.id),
      name: call.function.name,
      input: parseArguments(
        call.function.arguments,
        `messages[${i}].tool_calls[${j}].function.arguments`,
      ),
    });
  });
  return blocks;
}

/**
 * System and developer messages become the top-level `system`; tool results become user
 * `tool_result` blocks, consecutive ones merged into one user turn (Anthropic expects all the
 * results for one assistant turn together, first in the next user message).
 */
export function toAnthropicMessages(messages: ChatMessage[]): {
  system: string | undefined;
  /** The system prompt as blocks, set instead of `system` when one carries a cache breakpoint. */
  systemBlocks?: Anthropic.TextBlockParam[];
  messages: Anthropic.MessageParam[];
} {
  const system: TextPart[] = [];
  const out: Anthropic.MessageParam[] = [];
  let pendingResults: Anthropic.ToolResultBlockParam[] = [];
  const flush = () => {
    if (pendingResults.length) out.push({ role: 'user', content: pendingResults });
    pendingResults = [];
  };
  messages.forEach((m, i) => {
    if (m.role === 'tool') {
      pendingResults.push(
        marked<Anthropic.ToolResultBlockParam>(
          {
            type: 'tool_result',
            tool_use_id: anthropicToolId(m.tool_call_id),
            content: textOf(m.content),
          },
          m.cache_control,
        ),
      );
      return;
    }
    flush();
    if (m.role === 'system' || m.role === 'developer') {
      if (hasMarks(m.content)) system.push(...m.content);
      else {
        const text = textOf(m.content);
        if (text) system.push({ type: 'text', text });
      }
    } else if (m.role === 'user') {
      out.push({ role: 'user', content: userBlocks(m.content, `messages[${i}]`) });
    } else if (m.role === 'assistant') {
      const blocks = assistantBlocks(m, i);
      if (blocks.length) out.push({ role: 'assistant', content: blocks });
    }
  });
  flush();
  if (system.some((p) => p.cache_control)) {
    return { system: undefined, systemBlocks: textBlocks(system), messages: out };
  }
  const joined = system.map((p) => p.text).join('\n\n');
  return { system: joined || undefined, messages: out };
}

function toolChoice(
  choice: ToolChoice | undefined,
  parallel: boolean | undefined,
): Anthropic.ToolChoice | undefined {
  const disable = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined) return parallel === false ? { type: 'auto', ...disable } : undefined;
  if (choice === 'none') return { type: 'none' };
  if (choice === 'auto') return { type: 'auto', ...disable };
  if (choice === 'required') return { type: 'any', ...disable };
  return { type: 'tool', name: choice.function.name, ...disable };
}

function stopSequences(stop: unknown): string[] | undefined {
  if (typeof stop === 'string') return [stop];
  if (Array.isArray(stop)) return stop.filter((s): s is string => typeof s === 'string');
  return undefined;
}

/** Sampling parameters API version 2026-10-21 (the SDK's default) rejects on every model. */
export const ANTHROPIC_SAMPLING_PARAMS = ['temperature', 'top_p', 'top_k'] as const;
/** The API version that still takes them; sent only on requests that carry one. */
export const ANTHROPIC_SAMPLING_API_VERSION = '2023-06-01';

/** True when the body carries a sampling parameter, so it must go out on the older API version. */
export function usesSamplingParams(body: object): boolean {
  return ANTHROPIC_SAMPLING_PARAMS.some((p) => (body as Record<string, unknown>)[p] !== undefined);
}

/**
 * The Messages API body. Only what Anthropic accepts is sent (the catalog's parameter policy
 * has already dropped penalties, `seed` and the rest). `temperature`, `top_p` and `top_k` are
 * copied when the client chose them; the adapter then sends the request on API version
 * 2023-06-01, the one that still takes them (2026-10-21 rejects them on every model).
 */
export function toAnthropicBody(req: ChatRequest): Anthropic.MessageCreateParamsNonStreaming {
  const { system, systemBlocks, messages } = toAnthropicMessages(req.messages);
  const params = req.params ?? {};
  const maxTokens =
    typeof params.max_tokens === 'number' ? params.max_tokens : ANTHROPIC_FALLBACK_MAX_TOKENS;
  const body: Anthropic.MessageCreateParamsNonStreaming = {
    model: req.model,
    max_tokens: maxTokens,
    messages,
  };
  const systemParts = [
    system,
    req.response_format?.type === 'json_object' ? JSON_ONLY : undefined,
  ].filter(Boolean);
  if (systemBlocks) {
    // Blocks keep the client's cache breakpoints where they were.
    body.system = systemParts.length
      ? [...systemBlocks, { type: 'text', text: systemParts.join('\n\n') }]
      : systemBlocks;
  } else if (systemParts.length) body.system = systemParts.join('\n\n');
  const stop = stopSequences(params.stop);
  if (stop?.length) body.stop_sequences = stop;
  if (req.tools?.length) {
    body.tools = req.tools.map((t) =>
      marked<Anthropic.Tool>(
        {
          name: t.function.name,
          ...(t.function.description ? { description: t.function.description } : {}),
          input_schema: { type: 'object', ...(t.function.parameters ?? {}) },
          ...(t.function.strict !== undefined ? { strict: t.function.strict } : {}),
        },
        t.cache_control,
      ),
    );
    const choice = toolChoice(req.tool_choice, req.parallel_tool_calls);
    if (choice) body.tool_choice = choice;
  }
  // Only the native route reaches this point: the catalog turned response_format into a forced
  // tool for the models without structured outputs, and json_object into one for every Claude
  // model (no JSON mode; structured outputs need a closed schema). See structured-output.ts.
  if (req.response_format?.type === 'json_schema' && req.response_format.json_schema.schema) {
    body.output_config = {
      format: { type: 'json_schema', schema: req.response_format.json_schema.schema },
    };
  }
  if (req.user) body.metadata = { user_id: req.user };
  // Extended thinking: only models whose catalog entry lists `thinking` get here with it.
  const thinking = params.thinking;
  if (typeof thinking === 'object' && thinking !== null && !Array.isArray(thinking)) {
    body.thinking = thinking as Anthropic.ThinkingConfigParam;
  }
  // The SDK's types no longer list the sampling fields (its default API version rejects them).
  const sampling = body as unknown as Record<string, unknown>;
  for (const p of ANTHROPIC_SAMPLING_PARAMS)
    if (typeof params[p] === 'number') sampling[p] = params[p];
  return body;
}
