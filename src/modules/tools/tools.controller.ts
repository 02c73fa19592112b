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
import { CreateToolDto } from './dto/create-tool.dto';
import { ToolResponse } from './dto/tool.response';
import { UpdateToolDto } from './dto/update-tool.dto';
import { TOOL_ID_PREFIX, type Tool } from './tool.types';
import { ToolsService } from './tools.service';
import { ApiErrorResponses } from '../../common/swagger';

const ToolId = new ParseIdPipe(TOOL_ID_PREFIX, 'id');

@ApiTags('tools')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/v1/tools')
export class ToolsController {
  constructor(private readonly tools: ToolsService) {}

  @Post()
  @ApiBody({
    type: CreateToolDto,
    examples: {
      weather: {
        summary: 'An HTTP tool agents may call',
        value: {
          name: 'get_weather',
          description: 'Current weather for a city',
          parameters: {
            type: 'object',
            properties: { city: { type: 'string' } },
            required: ['city'],
          },
          url: 'https://tools.example.com/weather',
          method: 'POST',
          timeout_ms: 5000,
        },
      },
    },
  })
  @ApiErrorResponses(
    'gateway',
    { status: 400, description: 'Invalid body' },
    401,
    403,
    { status: 409, description: 'A tool with this name exists in the org' },
    413,
  )
  @Scopes('admin')
  @ApiOperation({
    summary: 'Create a tool',
    description:
      'Header values are stored encrypted and never returned; responses list their names.',
  })
  @ApiEnvelope(ToolResponse, { status: 201 })
  async create(@CurrentPrincipal() p: Principal, @Body() body: CreateToolDto): Promise<Ok<Tool>> {
    return ok(await this.tools.create(p.orgId, body));
  }

  @Get()
  @ApiErrorResponses('gateway', { status: 400, description: 'A bad limit or cursor' }, 401)
  @ApiOperation({ summary: "List the org's tools (oldest first)" })
  @ApiEnvelope(ToolResponse, { list: true })
  async list(@CurrentPrincipal() p: Principal, @Query() q: ListQueryDto): Promise<OkPage<Tool>> {
    return okPage(await this.tools.list(p.orgId, q));
  }

  @Get(':id')
  @ApiErrorResponses('gateway', { status: 400, description: 'A malformed tool id' }, 401, {
    status: 404,
    description: 'No such tool in this org',
  })
  @ApiOperation({ summary: 'Get a tool' })
  @ApiEnvelope(ToolResponse)
  async get(@CurrentPrincipal() p: Principal, @Param('id', ToolId) id: string): Promise<Ok<Tool>> {
    return ok(await this.tools.get(p.orgId, id));
  }

  @Patch(':id')
  @ApiBody({
    type: UpdateToolDto,
    examples: {
      timeout: { summary: 'Allow the tool more time', value: { timeout_ms: 8000 } },
    },
  })
  @ApiErrorResponses(
    'gateway',
    { status: 400, description: 'Invalid body' },
    401,
    403,
    { status: 404, description: 'No such tool in this org' },
    { status: 409, description: 'A tool with this name exists in the org' },
    413,
  )
  @Scopes('admin')
  @ApiOperation({ summary: 'Update a tool', description: '`headers` replaces the whole set.' })
  @ApiEnvelope(ToolResponse)
  async update(
    @CurrentPrincipal() p: Principal,
    @Param('id', ToolId) id: string,
    @Body() body: UpdateToolDto,
  ): Promise<Ok<Tool>> {
    return ok(await this.tools.update(p.orgId, id, body));
  }

  @Delete(':id')
  @ApiErrorResponses('gateway', { status: 400, description: 'A malformed tool id' }, 401, 403, {
    status: 404,
    description: 'No such tool in this org',
  })
  @Scopes('admin')
  @ApiOperation({ summary: 'Delete a tool' })
  @ApiEnvelope(Deleted)
  async delete(
    @CurrentPrincipal() p: Principal,
    @Param('id', ToolId) id: string,
  ): Promise<Ok<Deleted>> {
    await this.tools.delete(p.orgId, id);
    return deleted(id);
  }
}
