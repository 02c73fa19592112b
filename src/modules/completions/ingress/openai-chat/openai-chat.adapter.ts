import { toOpenAiBody } from '../../../../common/filters/error-envelope';
import type {
  ChoiceAlternative,
  FinishReason,
  ModelParams,
  StreamEvent,
  ToolCall,
  Usage,
} from '../../../providers';
import type { ChatCompletionRequest, CompletionOutcome } from '../../pipeline/completion-job';
import type { StreamFormat } from '../sse/stream-response';
import { PASS_THROUGH_PARAMS, type OpenAiChatCompletionDto } from './dto/openai-chat.dto';
import { toCanonicalMessage } from './openai-chat.messages';

/**
 * The OpenAI chat-completions ingress adapter: the wire body in canonical terms, and the
 * pipeline's outcome and events back in OpenAI's `chat.completion` and chunk shapes.
 */

/** The request body in canonical terms (the canonical shapes follow OpenAI's, so this is thin). */
export function toChatRequest(dto: OpenAiChatCompletionDto): ChatCompletionRequest {
  return {
    model: dto.model,
    messages: dto.messages.map(toCanonicalMessage),
    params: openAiParams(dto),
    tools: dto.tools,
    tool_choice: dto.tool_choice,
    parallel_tool_calls: dto.parallel_tool_calls,
    response_format: dto.response_format,
    user: dto.user,
  };
}

function openAiParams(dto: OpenAiChatCompletionDto): ModelParams {
  const p: ModelParams = {};
  if (dto.temperature !== undefined) p.temperature = dto.temperature;
  if (dto.top_p !== undefined) p.top_p = dto.top_p;
  const maxTokens = dto.max_completion_tokens ?? dto.max_tokens;
  if (maxTokens !== undefined) p.max_tokens = maxTokens;
  if (dto.stop !== undefined) p.stop = dto.stop;
  if (dto.presence_penalty !== undefined) p.presence_penalty = dto.presence_penalty;
  if (dto.frequency_penalty !== undefined) p.frequency_penalty = dto.frequency_penalty;
  if (dto.seed !== undefined) p.seed = dto.seed;
  // n: 1 is what every model does anyway; more goes through the policy (served where the
  // catalog lists `n` for the model, dropped or refused elsewhere).
  if (dto.n !== undefined && dto.n !== null && dto.n !== 1) p.n = dto.n;
  for (const name of PASS_THROUGH_PARAMS) {
    if (dto[name] !== undefined && dto[name] !== null) p[name] = dto[name];
  }
  return p;
}

/** OpenAI's usage object from the gateway's normalised usage. */
export function openAiUsage(u: Usage) {
  return {
    prompt_tokens: u.input_tokens,
    completion_tokens: u.output_tokens,
    total_tokens: u.total_tokens,
    prompt_tokens_details: { cached_tokens: u.cached_tokens },
    completion_tokens_details: { reasoning_tokens: u.reasoning_tokens },
  };
}

/** One `choices[]` entry of a `chat.completion`. */
function toChoice(
  index: number,
  c: Pick<ChoiceAlternative, 'content' | 'tool_calls' | 'finish_reason'>,
) {
  const message: {
    role: 'assistant';
    content: string | null;
    refusal: null;
    tool_calls?: ToolCall[];
  } = {
    role: 'assistant',
    content: c.content,
    refusal: null,
  };
  if (c.tool_calls.length > 0) message.tool_calls = c.tool_calls;
  return { index, message, logprobs: null, finish_reason: c.finish_reason };
}

/**
 * A `chat.completion` object exactly as OpenAI returns it: choice 0, then the other choices of
 * an `n` > 1 answer with their own indexes. `usage` covers every choice, as OpenAI's does.
 */
export function toChatCompletion(r: CompletionOutcome, id: string) {
  return {
    id,
    object: 'chat.completion' as const,
    created: r.created,
    model: `${r.service}/${r.model}`,
    choices: [toChoice(0, r), ...(r.alternatives ?? []).map((a) => toChoice(a.index, a))],
    usage: openAiUsage(r.usage),
    system_fingerprint: null,
  };
}

interface ChunkContext {
  id: string;
  created: number;
  model: string;
  includeUsage: boolean;
}

/**
 * Turns normalised stream events into OpenAI `chat.completion.chunk` objects: a role chunk
 * first, content and tool-call deltas, a finish chunk, then (with include_usage) a usage chunk
 * with empty choices. Every chunk carries `usage: null` when usage was asked for, as OpenAI does.
 * With `n` > 1 each choice gets its own role chunk, deltas and finish chunk under its `index`.
 */
export class OpenAiChunker {
  /** The choices whose role chunk was sent. */
  private readonly started = new Set<number>();

  constructor(private readonly ctx: ChunkContext) {}

  private chunk(delta: Record<string, unknown>, finish: FinishReason | null, index = 0) {
    return {
      id: this.ctx.id,
      object: 'chat.completion.chunk' as const,
      created: this.ctx.created,
      model: this.ctx.model,
      system_fingerprint: null,
      choices: [{ index, delta, logprobs: null, finish_reason: finish }],
      ...(this.ctx.includeUsage ? { usage: null } : {}),
    };
  }

  /** Chunks to send for one event (possibly none). */
  map(e: StreamEvent): object[] {
    const out: object[] = [];
    const index =
      e.type === 'text' || e.type === 'tool_call' || e.type === 'finish' ? (e.choice ?? 0) : 0;
    if (!this.started.has(index) && e.type !== 'usage') {
      out.push(this.chunk({ role: 'assistant', content: '', refusal: null }, null, index));
      this.started.add(index);
    }
    switch (e.type) {
      case 'text':
        if (e.text !== '') out.push(this.chunk({ content: e.text }, null, index));
        break;
      case 'tool_call': {
        const call: Record<string, unknown> = { index: e.index };
        if (e.id !== undefined) {
          call.id = e.id;
          call.type = 'function';
          call.function = { name: e.name ?? '', arguments: e.arguments };
        } else {
          call.function = { arguments: e.arguments };
        }
        out.push(this.chunk({ tool_calls: [call] }, null, index));
        break;
      }
      case 'finish':
        out.push(this.chunk({}, e.finish_reason, index));
        break;
      case 'usage':
        if (this.ctx.includeUsage) {
          out.push({
            id: this.ctx.id,
            object: 'chat.completion.chunk',
            created: this.ctx.created,
            model: this.ctx.model,
            system_fingerprint: null,
            choices: [],
            usage: openAiUsage(e.usage),
          });
        }
        break;
      default:
        break;
    }
    return out;
  }
}

/** The OpenAI SSE format for pipeline events (server-side tool rounds stay invisible). */
export function openAiStreamFormat(id: string, includeUsage: boolean): StreamFormat {
  let chunker: OpenAiChunker | undefined;
  return {
    map: (e) => {
      if (e.type === 'start') {
        chunker = new OpenAiChunker({
          id,
          created: e.created,
          model: `${e.service}/${e.model}`,
          includeUsage,
        });
        return [];
      }
      const c = chunker;
      if (!c) return [];
      switch (e.type) {
        case 'text':
          return c.map(e);
        case 'tool_call':
          return c.map(e);
        case 'done':
          // Every choice's finish chunk (choice 0 first), then the usage of them all.
          return [
            ...c.map({ type: 'finish', finish_reason: e.outcome.finish_reason }),
            ...(e.outcome.alternatives ?? []).flatMap((a) =>
              c.map({ type: 'finish', finish_reason: a.finish_reason, choice: a.index }),
            ),
            ...c.map({ type: 'usage', usage: e.outcome.usage }),
          ];
        default:
          return [];
      }
    },
    error: (err, requestId) => toOpenAiBody(err, requestId),
  };
}
