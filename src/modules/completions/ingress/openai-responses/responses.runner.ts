import { Injectable } from '@nestjs/common';
import type { Principal } from '../../../../common/auth/principal';
import { AppException, ErrorCode } from '../../../../common/errors';
import { isRecord } from '../../../../common/validation/is-record';
import { ModelCatalogService } from '../../../providers';
import type { ChatMessage } from '../../../providers';
import { ConversationStore, ResponsesStore, type StoredResponse } from '../../../responses';
import type {
  CompletionJob,
  CompletionOutcome,
  PipelineEvent,
} from '../../pipeline/completion-job';
import { CompletionPipeline } from '../../pipeline/completion-pipeline.service';
import { JobBuilder } from '../../pipeline/job-builder';
import { catalogParamFilter, qualifiedModel } from '../shared/model-ref';
import { requestExtrasFrom } from '../shared/request-extras';
import type { OpenAiResponsesDto } from './dto/openai-responses.dto';
import { itemIdsFrom, messagesToItems } from './responses.items';
import { toChatRequest } from './responses.request';
import {
  echoedRequest,
  toResponseObject,
  type ResponseMeta,
  type ResponseObject,
} from './responses.response';

/** A Responses request turned into a pipeline job, with what its stored record needs. */
export interface PreparedResponse {
  id: string;
  principal: Principal;
  job: CompletionJob;
  meta: ResponseMeta;
  /** The request's own input, canonical (the thread and input_items get these). */
  input: ChatMessage[];
  /** What a continuation of this response starts from, before this response's output. */
  context: ChatMessage[];
  store: boolean;
  conversationId: string | null;
  previousResponseId: string | null;
}

/**
 * The stateful half of `POST /v1/responses`, shared by the route and the background worker:
 * resolves `prompt` (a stored agent), `previous_response_id` (a stored response's context) and
 * `conversation` (a thread), builds the pipeline job, and stores the answer (`store`, the
 * default) before it is handed back, so a response id a client received can always be
 * retrieved and continued.
 */
@Injectable()
export class ResponsesRunner {
  constructor(
    private readonly jobs: JobBuilder,
    private readonly pipeline: CompletionPipeline,
    private readonly catalog: ModelCatalogService,
    private readonly responses: ResponsesStore,
    private readonly conversations: ConversationStore,
  ) {}

  async prepare(
    dto: OpenAiResponsesDto,
    headers: Record<string, string | undefined>,
    principal: Principal,
    requestId: string,
    id: string,
  ): Promise<PreparedResponse> {
    const orgId = principal.orgId;
    const conversationId = conversationIdOf(dto);
    const previousId = dto.previous_response_id ?? null;
    if (conversationId !== null && previousId !== null) {
      throw invalid(
        'previous_response_id and conversation cannot both be set: a conversation keeps its own history',
        'previous_response_id',
      );
    }
    const model = this.modelOf(dto);
    let prefix: ChatMessage[] = [];
    if (previousId !== null) {
      const previous = await this.responses.get(orgId, previousId);
      if (!previous) {
        throw new AppException(
          ErrorCode.NOT_FOUND,
          `Previous response with id '${previousId}' not found.`,
          { param: 'previous_response_id' },
        );
      }
      if (previous.status !== 'completed' && previous.status !== 'incomplete') {
        throw invalid(
          `Previous response '${previousId}' cannot be continued: its status is ${previous.status}`,
          'previous_response_id',
        );
      }
      prefix = previous.context;
    }
    if (conversationId !== null) await this.conversations.getOrThrow(orgId, conversationId);

    const { stored, client } = splitTools(dto.tools);
    // Instructions go in front of any history (`opts.system`) and are never stored with it.
    const chat = toChatRequest(
      { ...dto, instructions: undefined, tools: client },
      model,
      catalogParamFilter(model, this.catalog),
      prefix,
    );
    const input = chat.messages.slice(prefix.length);
    // The previous response's context goes to the job builder as history, not as part of the
    // request, so it is trimmed to the model's window like a conversation's thread.
    chat.messages = input;
    const extras = requestExtrasFrom(headers);
    if (conversationId !== null) {
      extras.threadId = conversationId;
      extras.subThreadId = undefined;
    }
    const instructions: ChatMessage[] =
      typeof dto.instructions === 'string' && dto.instructions !== ''
        ? [{ role: 'system', content: dto.instructions }]
        : [];
    const job = await this.jobs.fromChatRequest(
      chat,
      extras,
      principal,
      requestId,
      this.pipeline.defaultCacheTtl,
      {
        system: instructions,
        variables: promptVariables(dto.prompt?.variables),
        storedToolIds: stored,
        history: prefix,
      },
    );
    // The thread gets the request's own input once, whatever history came before it; a
    // rerun of the same response (a background job after a crash) appends it once.
    job.newMessages = input;
    job.exchangeId = `xch_${id}`;
    return {
      id,
      principal,
      job,
      meta: {
        id,
        created_at: Math.floor(Date.now() / 1000),
        // A stored prompt names no model: the agent's answers.
        model: dto.model ?? `${job.service}/${job.model}`,
        echo: echoedRequest(dto),
      },
      input,
      // History as the model saw it (a previous response's context or the conversation's
      // trimmed thread) and this input; instructions and a stored prompt do not carry over.
      context: withoutLeadingSystem(job.messages),
      store: dto.store !== false,
      conversationId,
      previousResponseId: previousId,
    };
  }

  /** Runs to the answer, then stores it (when asked) before returning the Response object. */
  async complete(p: PreparedResponse, signal?: AbortSignal): Promise<ResponseObject> {
    const { outcome, body } = await this.answer(p, signal);
    if (p.store) await this.responses.save(this.record(p, outcome, body));
    return body;
  }

  /** Runs to the answer without storing it (the background worker stores it its own way). */
  async answer(
    p: PreparedResponse,
    signal?: AbortSignal,
  ): Promise<{ outcome: CompletionOutcome; body: ResponseObject }> {
    const outcome = await this.pipeline.complete(p.job, signal);
    return { outcome, body: toResponseObject(outcome, p.meta) };
  }

  /** The pipeline's events; the final one only once the response is stored. */
  async *stream(p: PreparedResponse, signal: AbortSignal): AsyncGenerator<PipelineEvent> {
    for await (const e of this.pipeline.stream(p.job, signal)) {
      if (e.type === 'done' && p.store) {
        await this.responses.save(this.record(p, e.outcome, toResponseObject(e.outcome, p.meta)));
      }
      yield e;
    }
  }

  /** The stored record of a finished response. */
  record(p: PreparedResponse, outcome: CompletionOutcome, body: ResponseObject): StoredResponse {
    const now = new Date();
    return {
      id: p.id,
      org_id: p.principal.orgId,
      status: body.status,
      body: body,
      input_items: inputItemsOf(p),
      context: [...p.context, ...outcome.produced],
      previous_response_id: p.previousResponseId,
      conversation_id: p.conversationId,
      background: false,
      request: null,
      created_at: now,
      updated_at: now,
    };
  }

  /** `prompt` runs a stored agent; otherwise `model` is required. */
  private modelOf(dto: OpenAiResponsesDto): string {
    if (dto.prompt) return `agent/${dto.prompt.id}`;
    if (typeof dto.model !== 'string' || dto.model === '') {
      throw invalid('model is required (or a stored prompt in `prompt`)', 'model');
    }
    return qualifiedModel(dto.model, this.catalog);
  }
}

/** The request's input as stored items, with ids stable for the response. */
export function inputItemsOf(p: { id: string; input: ChatMessage[] }): Record<string, unknown>[] {
  return messagesToItems(
    p.input,
    itemIdsFrom(`in${p.id.slice('resp_'.length)}`),
  ) as unknown as Record<string, unknown>[];
}

/**
 * `tools` entries of the gateway's own type `stored_tool` (`{type, tool_id}`) name the org's
 * stored tools, run here; the rest are client tools, checked by the request translation.
 */
function splitTools(tools: OpenAiResponsesDto['tools']): {
  stored: string[];
  client: OpenAiResponsesDto['tools'];
} {
  if (!tools) return { stored: [], client: tools };
  const stored: string[] = [];
  const client: NonNullable<OpenAiResponsesDto['tools']> = [];
  tools.forEach((t, i) => {
    if (t.type !== 'stored_tool') return client.push(t);
    if (typeof t.tool_id !== 'string' || t.tool_id === '') {
      throw invalid(
        `tools[${i}].tool_id: Field required (a stored tool's id)`,
        `tools[${i}].tool_id`,
      );
    }
    stored.push(t.tool_id);
  });
  return { stored, client: client.length > 0 ? client : undefined };
}

/**
 * `prompt.variables`: strings (numbers and booleans too) fill `{{name}}`; OpenAI also allows
 * an `input_text` part, whose text is used. Other parts (images, files) cannot go in a prompt
 * template's text.
 */
function promptVariables(
  raw: Record<string, unknown> | null | undefined,
): Record<string, string | number | boolean> | undefined {
  if (!raw) return undefined;
  const out: Record<string, string | number | boolean> = {};
  for (const [name, v] of Object.entries(raw)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[name] = v;
    else if (isRecord(v) && v.type === 'input_text' && typeof v.text === 'string')
      out[name] = v.text;
    else {
      throw invalid(
        `prompt.variables.${name}: must be a string or an input_text part`,
        `prompt.variables.${name}`,
      );
    }
  }
  return out;
}

function withoutLeadingSystem(messages: ChatMessage[]): ChatMessage[] {
  let i = 0;
  while (i < messages.length && messages[i].role === 'system') i++;
  return messages.slice(i);
}

function conversationIdOf(dto: OpenAiResponsesDto): string | null {
  const c = dto.conversation;
  if (c === undefined || c === null) return null;
  return typeof c === 'string' ? c : c.id;
}

function invalid(message: string, param: string): AppException {
  return new AppException(ErrorCode.VALIDATION_FAILED, message, { param });
}
