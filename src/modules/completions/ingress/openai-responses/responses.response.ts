import type { NormalisedError } from '../../../../common/filters/error-envelope';
import type { ThinkingBlock, ToolCall, Usage } from '../../../providers';
import type { CompletionOutcome } from '../../pipeline/completion-job';
import type { OpenAiResponsesDto } from './dto/openai-responses.dto';

/**
 * The Responses API's `Response` object (node_modules/openai/resources/responses/responses.d.ts)
 * built from the pipeline's outcome. `output_text` is left out: it is not on OpenAI's wire, the
 * SDK computes it from `output` itself.
 */

export type ResponseStatus = 'completed' | 'incomplete' | 'failed' | 'in_progress' | 'queued';

export interface OutputTextPart {
  type: 'output_text';
  text: string;
  annotations: never[];
  logprobs: never[];
}

export interface OutputMessageItem {
  id: string;
  type: 'message';
  role: 'assistant';
  status: 'in_progress' | 'completed' | 'incomplete';
  content: OutputTextPart[];
}

export interface FunctionCallOutputItem {
  id: string;
  type: 'function_call';
  call_id: string;
  name: string;
  arguments: string;
  status: 'in_progress' | 'completed' | 'incomplete';
}

/**
 * Extended thinking as a reasoning item: its text as `reasoning_text` content (what the SDK's
 * stream accumulates), its signature or redacted data as `encrypted_content`.
 */
export interface ReasoningOutputItem {
  id: string;
  type: 'reasoning';
  summary: never[];
  content?: Array<{ type: 'reasoning_text'; text: string }>;
  encrypted_content?: string | null;
  status?: 'in_progress' | 'completed' | 'incomplete';
}

export type OutputItem = OutputMessageItem | FunctionCallOutputItem | ReasoningOutputItem;

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** The request fields a Response echoes back, as OpenAI echoes them (defaults filled in). */
export interface EchoedRequest {
  instructions: string | null;
  tools: Array<{
    type: 'function';
    name: string;
    description: string | null;
    parameters: Record<string, unknown> | null;
    strict: boolean | null;
  }>;
  tool_choice: string | Record<string, unknown>;
  parallel_tool_calls: boolean;
  temperature: number | null;
  top_p: number | null;
  max_output_tokens: number | null;
  metadata: Record<string, string>;
  previous_response_id: string | null;
  text: { format: Record<string, unknown>; verbosity?: string };
  reasoning: { effort: string | null; summary: string | null };
  store: boolean;
  background: boolean;
  truncation: 'auto' | 'disabled';
  service_tier?: string;
  conversation?: { id: string } | null;
  prompt?: { id: string; variables?: Record<string, unknown> | null; version?: string | null };
  user?: string;
  safety_identifier?: string;
  prompt_cache_key?: string;
  prompt_cache_retention?: string;
}

/** What a Response carries beside its output: built once per request by the controller. */
export interface ResponseMeta {
  /** `resp_…` */
  id: string;
  /** Unix seconds. */
  created_at: number;
  /** The model as the client asked for it. */
  model: string;
  echo: EchoedRequest;
}

export interface ResponseError {
  code: string;
  message: string;
  request_id?: string;
}

/** The request fields echoed on every Response of a request, from its create body. */
export function echoedRequest(dto: OpenAiResponsesDto): EchoedRequest {
  const echo: EchoedRequest = {
    instructions: dto.instructions ?? null,
    tools: (dto.tools ?? []).map((t) => ({
      type: 'function' as const,
      name: String(t.name),
      description: typeof t.description === 'string' ? t.description : null,
      parameters: isObj(t.parameters) ? t.parameters : null,
      strict: typeof t.strict === 'boolean' ? t.strict : null,
    })),
    tool_choice: dto.tool_choice ?? 'auto',
    parallel_tool_calls: dto.parallel_tool_calls ?? true,
    temperature: dto.temperature ?? null,
    top_p: dto.top_p ?? null,
    max_output_tokens: dto.max_output_tokens ?? null,
    metadata: dto.metadata ?? {},
    previous_response_id: dto.previous_response_id ?? null,
    text: {
      format: dto.text?.format ?? { type: 'text' },
      ...(dto.text?.verbosity ? { verbosity: dto.text.verbosity } : {}),
    },
    reasoning: {
      effort: dto.reasoning?.effort ?? null,
      summary: dto.reasoning?.summary ?? dto.reasoning?.generate_summary ?? null,
    },
    store: dto.store ?? true,
    background: dto.background ?? false,
    truncation: dto.truncation ?? 'disabled',
  };
  if (dto.service_tier) echo.service_tier = dto.service_tier;
  if (dto.conversation) {
    echo.conversation = {
      id: typeof dto.conversation === 'string' ? dto.conversation : dto.conversation.id,
    };
  }
  if (dto.prompt) echo.prompt = dto.prompt;
  if (dto.user) echo.user = dto.user;
  if (dto.safety_identifier) echo.safety_identifier = dto.safety_identifier;
  if (dto.prompt_cache_key) echo.prompt_cache_key = dto.prompt_cache_key;
  if (dto.prompt_cache_retention) echo.prompt_cache_retention = dto.prompt_cache_retention;
  return echo;
}

/** OpenAI's Responses usage from the canonical usage (both count cached tokens as input). */
export function responsesUsage(u: Usage): ResponseUsage {
  return {
    input_tokens: u.input_tokens,
    input_tokens_details: { cached_tokens: u.cached_tokens },
    output_tokens: u.output_tokens,
    output_tokens_details: { reasoning_tokens: u.reasoning_tokens },
    total_tokens: u.total_tokens,
  };
}

/** Output item ids, derived from the response id so a stream and its final object agree. */
export function outputItemIds(responseId: string) {
  const base = responseId.replace(/^resp_/, '');
  return {
    message: (n: number) => (n === 0 ? `msg_${base}` : `msg_${base}_${n}`),
    functionCall: (n: number) => `fc_${base}_${n}`,
    reasoning: (n: number) => `rs_${base}_${n}`,
  };
}

export function reasoningItem(id: string, block: ThinkingBlock): ReasoningOutputItem {
  return block.type === 'thinking'
    ? {
        id,
        type: 'reasoning',
        summary: [],
        content: [{ type: 'reasoning_text', text: block.thinking }],
        encrypted_content: block.signature || null,
        status: 'completed',
      }
    : { id, type: 'reasoning', summary: [], encrypted_content: block.data, status: 'completed' };
}

export function messageItem(
  id: string,
  text: string,
  status: OutputMessageItem['status'],
): OutputMessageItem {
  return {
    id,
    type: 'message',
    role: 'assistant',
    status,
    content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
  };
}

export function functionCallItem(id: string, call: ToolCall): FunctionCallOutputItem {
  return {
    id,
    type: 'function_call',
    call_id: call.id,
    name: call.function.name,
    arguments: call.function.arguments,
    status: 'completed',
  };
}

/** Whether the answer ran out of `max_output_tokens` (or was cut by a content filter). */
export function incompleteReason(
  o: Pick<CompletionOutcome, 'finish_reason'>,
): 'max_output_tokens' | 'content_filter' | null {
  if (o.finish_reason === 'length') return 'max_output_tokens';
  if (o.finish_reason === 'content_filter') return 'content_filter';
  return null;
}

/** The output items of an outcome: reasoning first, then the message, then function calls. */
export function outputItems(o: CompletionOutcome, responseId: string): OutputItem[] {
  const ids = outputItemIds(responseId);
  const status = incompleteReason(o) ? 'incomplete' : 'completed';
  const items: OutputItem[] = (o.thinking ?? []).map((b, i) => reasoningItem(ids.reasoning(i), b));
  if (o.content) items.push(messageItem(ids.message(0), o.content, status));
  o.tool_calls.forEach((c, i) => items.push(functionCallItem(ids.functionCall(i), c)));
  return items;
}

/**
 * The Response envelope around output items: the shape every status shares. `completed_at` is
 * set for a completed response only; `usage` is null until there is one.
 */
export function responseEnvelope(
  meta: ResponseMeta,
  status: ResponseStatus,
  output: OutputItem[],
  extra: {
    usage?: ResponseUsage | null;
    error?: ResponseError | null;
    incomplete?: 'max_output_tokens' | 'content_filter' | null;
  } = {},
) {
  return {
    id: meta.id,
    object: 'response' as const,
    created_at: meta.created_at,
    status,
    ...(status === 'completed' ? { completed_at: Math.floor(Date.now() / 1000) } : {}),
    error: extra.error ?? null,
    incomplete_details: extra.incomplete ? { reason: extra.incomplete } : null,
    model: meta.model,
    output,
    usage: extra.usage ?? null,
    ...meta.echo,
  };
}

export type ResponseObject = ReturnType<typeof responseEnvelope>;

/** The final Response of a completed (or length-cut) answer. */
export function toResponseObject(o: CompletionOutcome, meta: ResponseMeta): ResponseObject {
  const incomplete = incompleteReason(o);
  return responseEnvelope(meta, incomplete ? 'incomplete' : 'completed', outputItems(o, meta.id), {
    usage: responsesUsage(o.usage),
    incomplete,
  });
}

/** A Response not answered yet (background mode): no output, no usage. */
export function pendingResponse(
  meta: ResponseMeta,
  status: 'queued' | 'in_progress' = 'queued',
): ResponseObject {
  return responseEnvelope(meta, status, []);
}

/**
 * OpenAI's `ResponseError.code` for a gateway error: the SDK lists a fixed set, of which these
 * three fit a chat gateway's failures.
 */
export function responseErrorCode(e: Pick<NormalisedError, 'status'>): string {
  if (e.status === 429) return 'rate_limit_exceeded';
  if (e.status >= 400 && e.status < 500) return 'invalid_prompt';
  return 'server_error';
}

/** A failed Response: status `failed`, `error` set, with whatever output was produced. */
export function failedResponse(
  meta: ResponseMeta,
  error: ResponseError,
  output: OutputItem[] = [],
): ResponseObject {
  return responseEnvelope(meta, 'failed', output, { error });
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
