import { Injectable, Optional } from '@nestjs/common';
import type { Principal } from '../../../common/auth/principal';
import { AppException, ErrorCode } from '../../../common/errors';
import type { Agent } from '../../agents';
import { SpendBudgets } from '../../budgets';
import {
  ModelCatalogService,
  parseModelRef,
  type ChatMessage,
  type ContentPart,
  type ModelParams,
  type ToolDefinition,
} from '../../providers';
import type { ExecutableTool } from '../../tools';
import type { AgentCompletionDto } from '../ingress/agent/dto/agent-completion.dto';
import { toCanonicalMessage } from '../ingress/openai-chat/openai-chat.messages';
import type { ChatCompletionRequest, CompletionJob, RequestExtras } from './completion-job';
import { trimHistory } from './history-trimmer';
import { AgentSource, ThreadStore, ToolSource } from './ports';
import { renderPrompt } from './prompt-template';

const DEFAULT_MAX_TOOL_ITERATIONS = 5;
/** Output room kept free when trimming history for a model with no explicit max_tokens. */
const DEFAULT_OUTPUT_RESERVE = 4096;

/**
 * Turns either endpoint's request into one CompletionJob: resolves the agent or model, fills
 * the prompt, loads and trims history, loads server-side tools and decides the cache policy.
 */
@Injectable()
export class JobBuilder {
  constructor(
    private readonly agents: AgentSource,
    private readonly tools: ToolSource,
    private readonly threads: ThreadStore,
    private readonly catalog: ModelCatalogService,
    /** Allowlists: an agent's fallbacks outside the caller's are not called. */
    @Optional() private readonly spend?: SpendBudgets,
  ) {}

  async fromAgentRequest(
    dto: AgentCompletionDto,
    principal: Principal,
    requestId: string,
    defaultTtl: number,
  ): Promise<CompletionJob> {
    const agentId = dto.agent_id ?? dto.bridge_id;
    if (!agentId)
      throw new AppException(ErrorCode.VALIDATION_FAILED, 'agent_id is required', {
        param: 'agent_id',
      });
    const agent = await this.agents.get(principal.orgId, agentId);
    const params = { ...agent.configuration, ...(dto.configuration ?? {}) };
    // The agent API answers with one message: it has nowhere to put other choices.
    if (choiceCount(params) > 1) {
      throw severalChoicesRefused('the agent API returns one answer; use /v1/chat/completions');
    }
    return this.agentJob(agent, {
      principal,
      requestId,
      defaultTtl,
      params,
      variables: dto.variables,
      fresh: newMessages(dto),
      thread: dto.thread_id
        ? { threadId: dto.thread_id, subThreadId: dto.sub_thread_id }
        : undefined,
      requestedTtl:
        dto.cache === false ? 0 : typeof dto.cache === 'object' ? dto.cache.ttl : undefined,
    });
  }

  /**
   * A canonical chat request, from whichever ingress format it came in. `opts.system` goes
   * before the thread's history and is never stored in the thread (Responses `instructions`);
   * `opts.variables` fill an `agent/` model's stored prompt (Responses `prompt.variables`).
   */
  async fromChatRequest(
    dto: ChatCompletionRequest,
    extras: RequestExtras,
    principal: Principal,
    requestId: string,
    defaultTtl: number,
    opts: ChatRequestOptions = {},
  ): Promise<CompletionJob> {
    const thread = extras.threadId
      ? { threadId: extras.threadId, subThreadId: extras.subThreadId }
      : undefined;
    const fresh = dto.messages;
    const system = opts.system ?? [];
    const requested = extras.noCache ? 0 : extras.cacheTtl;

    if (dto.model.startsWith('agent/')) {
      const agent = await this.agents.get(principal.orgId, dto.model.slice('agent/'.length));
      if (dto.tools?.length || opts.storedToolIds?.length) {
        throw new AppException(
          ErrorCode.VALIDATION_FAILED,
          'tools cannot be sent with an agent/ model: the agent runs its own stored tools',
          { param: 'tools' },
        );
      }
      const policy = this.catalog.applyParamPolicy(
        agent.service,
        agent.model,
        { ...agent.configuration, ...dto.params },
        extras.strictParams === true,
      );
      const job = await this.agentJob(agent, {
        principal,
        requestId,
        defaultTtl,
        params: policy.params,
        variables: opts.variables ?? {},
        extraSystem: system,
        earlier: opts.history,
        fresh,
        thread,
        requestedTtl: requested,
      });
      return {
        ...job,
        response_format: dto.response_format,
        user: dto.user,
        droppedParams: policy.dropped,
      };
    }

    const { service, model } = parseModelRef(dto.model);
    const policy = this.catalog.applyParamPolicy(
      service,
      model,
      dto.params,
      extras.strictParams === true,
    );
    const params = policy.params;
    const storedIds = opts.storedToolIds ?? [];
    if (storedIds.length > 0) {
      if (dto.tools?.length) {
        throw new AppException(
          ErrorCode.VALIDATION_FAILED,
          'stored tools run on the gateway and client function tools on the client: send one kind',
          { param: 'tools' },
        );
      }
      if (choiceCount(params) > 1) {
        throw severalChoicesRefused('stored tools continue one answer, not several');
      }
    }
    // Stored tools the request names run here, in a loop, as an agent's do.
    const serverTools =
      storedIds.length > 0 ? await this.tools.getExecutable(principal.orgId, storedIds) : [];
    return {
      principal,
      requestId,
      service,
      model,
      fallbacks: [],
      messages: await this.withHistory(
        principal.orgId,
        service,
        model,
        params,
        system,
        fresh,
        thread,
        opts.history,
      ),
      newMessages: fresh,
      params,
      tools: serverTools.length > 0 ? toDefinitions(serverTools) : dto.tools,
      tool_choice: dto.tool_choice,
      parallel_tool_calls: dto.parallel_tool_calls,
      response_format: dto.response_format,
      user: dto.user,
      serverTools,
      maxToolIterations: serverTools.length > 0 ? DEFAULT_MAX_TOOL_ITERATIONS : 0,
      thread,
      // Client tools have no side effects here (sampling decides); stored tools run here and do.
      cacheTtl: cachePolicy({
        requested,
        agentTtl: null,
        defaultTtl,
        params,
        sideEffects: serverTools.length > 0,
      }),
      droppedParams: policy.dropped,
    };
  }

  /**
   * A stored agent's job, whichever route named it: its prompt as the system message, its
   * model and fallbacks, its server-side tools, the thread's history and its cache policy.
   */
  private async agentJob(agent: Agent, o: AgentJobInput): Promise<CompletionJob> {
    const system: ChatMessage[] = [
      ...(agent.prompt.trim() === ''
        ? []
        : [{ role: 'system' as const, content: renderPrompt(agent.prompt, o.variables) }]),
      ...(o.extraSystem ?? []),
    ];
    const serverTools = await this.serverTools(o.principal.orgId, agent);
    // Stored tools run in a loop on one answer: the model cannot continue several at once.
    if (serverTools.length > 0 && choiceCount(o.params) > 1) {
      throw severalChoicesRefused(
        `agent ${agent.id} runs stored tools, which continue one answer, not several`,
      );
    }
    return {
      principal: o.principal,
      requestId: o.requestId,
      service: agent.service,
      model: agent.model,
      fallbacks: this.spend
        ? await this.spend.permitted(o.principal, agent.fallbacks)
        : agent.fallbacks,
      messages: await this.withHistory(
        o.principal.orgId,
        agent.service,
        agent.model,
        o.params,
        system,
        o.fresh,
        o.thread,
        o.earlier,
      ),
      newMessages: o.fresh,
      params: o.params,
      tools: serverTools.length > 0 ? toDefinitions(serverTools) : undefined,
      serverTools,
      maxToolIterations: agent.max_tool_iterations ?? DEFAULT_MAX_TOOL_ITERATIONS,
      agentId: agent.id,
      thread: o.thread,
      cacheTtl: cachePolicy({
        requested: o.requestedTtl,
        agentTtl: agent.cache_ttl,
        defaultTtl: o.defaultTtl,
        params: o.params,
        sideEffects: serverTools.length > 0,
      }),
    };
  }

  private async serverTools(orgId: string, agent: Agent): Promise<ExecutableTool[]> {
    return agent.tool_ids.length > 0 ? this.tools.getExecutable(orgId, agent.tool_ids) : [];
  }

  private async withHistory(
    orgId: string,
    service: CompletionJob['service'],
    model: string,
    params: ModelParams,
    system: ChatMessage[],
    fresh: ChatMessage[],
    thread: CompletionJob['thread'],
    earlier: ChatMessage[] = [],
  ): Promise<ChatMessage[]> {
    if (!thread && earlier.length === 0) return [...system, ...fresh];
    const history = thread
      ? await this.threads.history(orgId, thread.threadId, thread.subThreadId)
      : earlier;
    const entry = this.catalog.get(service, model);
    if (!entry) return [...system, ...history, ...fresh];
    const reserve =
      typeof params.max_tokens === 'number'
        ? params.max_tokens
        : Math.min(entry.max_output_tokens, DEFAULT_OUTPUT_RESERVE);
    return trimHistory(system, history, fresh, Math.max(entry.context_window - reserve, 1));
  }
}

/** Extras of `fromChatRequest` that only some ingress formats have. */
export interface ChatRequestOptions {
  /** System messages sent first and never appended to the thread. */
  system?: ChatMessage[];
  /** Values for an `agent/` model's stored prompt. */
  variables?: Parameters<typeof renderPrompt>[1];
  /** Ids of the org's stored tools to run on the gateway (not with an `agent/` model). */
  storedToolIds?: string[];
  /**
   * Earlier turns kept outside a thread (a stored response's context, for Responses
   * `previous_response_id`), trimmed to the model's context window as a thread's history is:
   * each stored response copies the context it was answered with, so an untrimmed chain
   * would grow every stored record, and every request, without bound.
   */
  history?: ChatMessage[];
}

/** What an agent's job is built from, beyond the agent itself. */
interface AgentJobInput {
  principal: Principal;
  requestId: string;
  defaultTtl: number;
  /** The model parameters to send (the agent's configuration with the request's overrides). */
  params: ModelParams;
  /** Values for the prompt's `{{variables}}`. */
  variables: Parameters<typeof renderPrompt>[1];
  /** System messages after the agent's prompt (the request's own instructions). */
  extraSystem?: ChatMessage[];
  /** Earlier turns outside a thread (see ChatRequestOptions.history). */
  earlier?: ChatMessage[];
  /** The request's new messages. */
  fresh: ChatMessage[];
  thread: CompletionJob['thread'];
  /** The TTL the request asked for, if any (0: no caching). */
  requestedTtl: number | undefined;
}

function newMessages(dto: AgentCompletionDto): ChatMessage[] {
  const images = (dto.images ?? []).map((url): ContentPart => ({
    type: 'image_url',
    image_url: { url },
  }));
  if (dto.messages) {
    const messages = dto.messages.map(toCanonicalMessage);
    if (images.length > 0) {
      const last = [...messages].reverse().find((m) => m.role === 'user');
      if (!last || last.role !== 'user')
        throw new AppException(
          ErrorCode.VALIDATION_FAILED,
          'images need a user message to attach to',
          { param: 'images' },
        );
      const parts: ContentPart[] =
        typeof last.content === 'string'
          ? [{ type: 'text', text: last.content }]
          : [...last.content];
      last.content = [...parts, ...images];
    }
    return messages;
  }
  const text = dto.user ?? '';
  return [
    { role: 'user', content: images.length > 0 ? [{ type: 'text', text }, ...images] : text },
  ];
}

function toDefinitions(tools: ExecutableTool[]): ToolDefinition[] {
  return tools.map((t) => ({
    type: 'function',
    function: {
      name: t.name,
      description: t.description,
      parameters: t.parameters ?? { type: 'object', properties: {} },
    },
  }));
}

/** How many choices the parameters ask for (`n`, which the policy kept only where served). */
function choiceCount(params: ModelParams): number {
  return typeof params.n === 'number' ? params.n : 1;
}

function severalChoicesRefused(why: string): AppException {
  return new AppException(ErrorCode.VALIDATION_FAILED, `n > 1 is not served here: ${why}`, {
    param: 'n',
  });
}

/**
 * Caching is on by default only for deterministic requests without side effects
 * (temperature 0, no server-side tools); otherwise only when the request or agent asks.
 * A request for several choices (`n` > 1) is never cached, whatever was asked: it asks for
 * independent samples, which a replay of the same set would not be, and the cached answer
 * (its replay as a stream, its single-flight sharing) is built around one choice.
 */
export function cachePolicy(o: {
  requested: number | undefined;
  agentTtl: number | null;
  defaultTtl: number;
  params: ModelParams;
  sideEffects: boolean;
}): number {
  if (choiceCount(o.params) > 1) return 0;
  if (o.requested !== undefined) return o.requested;
  if (o.agentTtl !== null && o.agentTtl !== undefined) return o.agentTtl;
  const deterministic = o.params.temperature === 0 && !o.sideEffects;
  return deterministic ? o.defaultTtl : 0;
}
