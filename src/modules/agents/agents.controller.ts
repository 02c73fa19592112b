import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
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

const AgentId = new ParseIdPipe(AGENT_ID_PREFIX, 'id');

@ApiTags('agents')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/v1/agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Post()
  @Scopes('admin')
  @ApiOperation({ summary: 'Create an agent', description: 'Names are unique per org (409).' })
  @ApiEnvelope(AgentResponse, { status: 201 })
  async create(@CurrentPrincipal() p: Principal, @Body() body: CreateAgentDto): Promise<Ok<Agent>> {
    return ok(await this.agents.create(p.orgId, body));
  }

  @Get()
  @ApiOperation({ summary: "List the org's agents (oldest first)" })
  @ApiEnvelope(AgentResponse, { list: true })
  async list(@CurrentPrincipal() p: Principal, @Query() q: ListQueryDto): Promise<OkPage<Agent>> {
    return okPage(await this.agents.list(p.orgId, q));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an agent' })
  @ApiEnvelope(AgentResponse)
  async get(
    @CurrentPrincipal() p: Principal,
    @Param('id', AgentId) id: string,
  ): Promise<Ok<Agent>> {
    return ok(await this.agents.get(p.orgId, id));
  }

  @Patch(':id')
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
