import { Injectable, Optional } from '@nestjs/common';
import { AppException, ErrorCode } from '../../common/errors';
import type { Page, PageRequest } from '../../common/pagination';
import { ConfigChangeBus } from '../config-watcher';
import { ToolsService } from '../tools';
import {
  DEFAULT_MAX_TOOL_ITERATIONS,
  type Agent,
  type AgentFallback,
  type AgentFields,
  type AgentRateLimit,
} from './agent.types';
import { AgentsRepository } from './agents.repository';
import type { AgentFallbackDto, AgentRateLimitDto, CreateAgentDto } from './dto/create-agent.dto';
import type { UpdateAgentDto } from './dto/update-agent.dto';

/**
 * Stored agents: defaults, cross-record checks (tool_ids exist in the org), 404s. Every write
 * is announced on the config change bus, so cached copies (here and on other instances) drop it.
 */
@Injectable()
export class AgentsService {
  constructor(
    private readonly repo: AgentsRepository,
    private readonly tools: ToolsService,
    @Optional() private readonly changes?: ConfigChangeBus,
  ) {}

  async create(orgId: string, dto: CreateAgentDto): Promise<Agent> {
    const toolIds = dto.tool_ids ?? [];
    await this.assertToolsExist(orgId, toolIds);
    const fields: AgentFields = {
      name: dto.name,
      service: dto.service,
      model: dto.model,
      prompt: dto.prompt ?? '',
      configuration: dto.configuration ?? {},
      tool_ids: toolIds,
      fallbacks: plainFallbacks(dto.fallbacks ?? []),
      cache_ttl: dto.cache_ttl ?? null,
      rate_limit: plainRateLimit(dto.rate_limit),
      max_tool_iterations: dto.max_tool_iterations ?? DEFAULT_MAX_TOOL_ITERATIONS,
    };
    const created = await this.repo.create(orgId, fields);
    await this.announce(orgId, created.id, 'upsert');
    return created;
  }

  /** The agent, or 404 NOT_FOUND (also for another org's agent). */
  async get(orgId: string, id: string): Promise<Agent> {
    const agent = await this.repo.get(orgId, id);
    if (!agent) throw notFound(id);
    return agent;
  }

  list(orgId: string, page: PageRequest): Promise<Page<Agent>> {
    return this.repo.list(orgId, page);
  }

  async update(orgId: string, id: string, dto: UpdateAgentDto): Promise<Agent> {
    if (dto.tool_ids !== undefined) await this.assertToolsExist(orgId, dto.tool_ids);
    const { fallbacks, rate_limit, ...rest } = dto;
    const patch: Partial<AgentFields> = {
      ...rest,
      ...(fallbacks === undefined ? {} : { fallbacks: plainFallbacks(fallbacks) }),
      ...(rate_limit === undefined ? {} : { rate_limit: plainRateLimit(rate_limit) }),
    };
    const updated = await this.repo.update(orgId, id, patch);
    if (!updated) throw notFound(id);
    await this.announce(orgId, id, 'upsert');
    return updated;
  }

  async delete(orgId: string, id: string): Promise<void> {
    if (!(await this.repo.delete(orgId, id))) throw notFound(id);
    await this.announce(orgId, id, 'delete');
  }

  private async announce(orgId: string, id: string, op: 'upsert' | 'delete'): Promise<void> {
    await this.changes?.announce({ kind: 'agent', org_id: orgId, id, op });
  }

  private async assertToolsExist(orgId: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const missing = await this.tools.missing(orgId, ids);
    if (missing.length > 0) {
      throw new AppException(
        ErrorCode.VALIDATION_FAILED,
        `tool_ids: no such tool in this org: ${missing.join(', ')}`,
        {
          param: 'tool_ids',
          details: [{ field: 'tool_ids', problems: missing.map((m) => `unknown tool ${m}`) }],
        },
      );
    }
  }
}

/** DTO instances -> plain JSON (the stores keep exactly these fields). */
function plainFallbacks(list: AgentFallbackDto[]): AgentFallback[] {
  return list.map((f) => ({ service: f.service, model: f.model }));
}

function plainRateLimit(r: AgentRateLimitDto | null | undefined): AgentRateLimit | null {
  if (r === null || r === undefined) return null;
  const out: AgentRateLimit = {};
  if (r.per_minute !== undefined) out.per_minute = r.per_minute;
  if (r.per_thread_per_minute !== undefined) out.per_thread_per_minute = r.per_thread_per_minute;
  return out;
}

const notFound = (id: string) => new AppException(ErrorCode.NOT_FOUND, `Agent ${id} not found`);
