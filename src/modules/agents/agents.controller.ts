import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../../common/auth/principal';
import { CurrentPrincipal, Scopes } from '../../common/decorators';
import {
  ApiEnvelope,
  Deleted,
  deleted,
  ok,
  okPage,
  type Ok,
  type OkPage,
} from '../../common/http/envelope';
import { ListQueryDto } from '../../common/pagination';
import { ParseIdPipe } from '../../common/pipes/parse-id.pipe';
import { AGENT_ID_PREFIX, type Agent } from './agent.types';
import { AgentsService } from './agents.service';
import { AgentResponse } from './dto/agent.response';
import { CreateAgentDto } from './dto/create-agent.dto';
import { UpdateAgentDto } from './dto/update-agent.dto';
import { ApiErrorResponses } from '../../common/swagger';

const AgentId = new ParseIdPipe(AGENT_ID_PREFIX, 'id');

@ApiTags('agents')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/v1/agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Post()
  @ApiBody({
    type: CreateAgentDto,
    examples: {
      support_bot: {
        summary: 'An agent whose prompt takes a {{company}} variable',
        description:
          'POST /api/v2/model/chat/completion runs it with `agent_id` set to the `id` this answers and `variables.company` set.',
        value: {
          name: 'support-bot',
          service: 'openai',
          model: 'gpt-4o-mini',
          prompt: 'You are a helpful support agent for {{company}}.',
          configuration: { temperature: 0.2, max_tokens: 512 },
          cache_ttl: 300,
          rate_limit: { per_minute: 30, per_thread_per_minute: 10 },
        },
      },
    },
  })
  @ApiErrorResponses(
    'gateway',
    { status: 400, description: 'Invalid body, or tool_ids naming a tool the org lacks' },
    401,
    403,
    { status: 409, description: 'An agent with this name exists in the org' },
    413,
  )
  @Scopes('admin')
  @ApiOperation({ summary: 'Create an agent', description: 'Names are unique per org (409).' })
  @ApiEnvelope(AgentResponse, { status: 201 })
  async create(@CurrentPrincipal() p: Principal, @Body() body: CreateAgentDto): Promise<Ok<Agent>> {
    return ok(await this.agents.create(p.orgId, body));
  }

  @Get()
  @ApiErrorResponses('gateway', { status: 400, description: 'A bad limit or cursor' }, 401)
  @ApiOperation({ summary: "List the org's agents (oldest first)" })
  @ApiEnvelope(AgentResponse, { list: true })
  async list(@CurrentPrincipal() p: Principal, @Query() q: ListQueryDto): Promise<OkPage<Agent>> {
    return okPage(await this.agents.list(p.orgId, q));
  }

  @Get(':id')
  @ApiErrorResponses('gateway', { status: 400, description: 'A malformed agent id' }, 401, {
    status: 404,
    description: 'No such agent in this org',
  })
  @ApiOperation({ summary: 'Get an agent' })
  @ApiEnvelope(AgentResponse)
  async get(
    @CurrentPrincipal() p: Principal,
    @Param('id', AgentId) id: string,
  ): Promise<Ok<Agent>> {
    return ok(await this.agents.get(p.orgId, id));
  }

  @Patch(':id')
  @ApiBody({
    type: UpdateAgentDto,
    examples: {
      prompt: {
        summary: 'Change the prompt (keeps the {{company}} variable)',
        value: { prompt: 'You are a concise support agent for {{company}}.' },
      },
    },
  })
  @ApiErrorResponses(
    'gateway',
    { status: 400, description: 'Invalid body, or tool_ids naming a tool the org lacks' },
    401,
    403,
    { status: 404, description: 'No such agent in this org' },
    { status: 409, description: 'An agent with this name exists in the org' },
    413,
  )
  @Scopes('admin')
  @ApiOperation({ summary: 'Update an agent', description: 'Send only the fields to change.' })
  @ApiEnvelope(AgentResponse)
  async update(
    @CurrentPrincipal() p: Principal,
    @Param('id', AgentId) id: string,
    @Body() body: UpdateAgentDto,
  ): Promise<Ok<Agent>> {
    return ok(await this.agents.update(p.orgId, id, body));
  }

  @Delete(':id')
  @ApiErrorResponses('gateway', { status: 400, description: 'A malformed agent id' }, 401, 403, {
    status: 404,
    description: 'No such agent in this org',
  })
  @Scopes('admin')
  @ApiOperation({ summary: 'Delete an agent' })
  @ApiEnvelope(Deleted)
  async delete(
    @CurrentPrincipal() p: Principal,
    @Param('id', AgentId) id: string,
  ): Promise<Ok<Deleted>> {
    await this.agents.delete(p.orgId, id);
    return deleted(id);
  }
}
