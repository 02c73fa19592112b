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
import { CreateProviderKeyDto } from './dto/create-provider-key.dto';
import { ProviderKeyResponse } from './dto/provider-key.response';
import { UpdateProviderKeyDto } from './dto/update-provider-key.dto';
import { PROVIDER_KEY_ID_PREFIX, type ProviderKey } from './provider-key.types';
import { ProviderKeysService } from './provider-keys.service';
import { ApiErrorResponses } from '../../common/swagger';

const KeyId = new ParseIdPipe(PROVIDER_KEY_ID_PREFIX, 'id');

@ApiTags('provider-keys')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/v1/provider-keys')
export class ProviderKeysController {
  constructor(private readonly keys: ProviderKeysService) {}

  @Post()
  @ApiBody({
    type: CreateProviderKeyDto,
    examples: {
      mistral: {
        summary: "The org's own Mistral key",
        value: { service: 'mistral', api_key: 'mistral-0123456789abcdef0123456789' },
      },
      weighted: {
        summary: 'A second OpenAI key taking three quarters of the traffic',
        value: {
          service: 'openai',
          api_key: 'sk-proj-fedcba9876543210fedcba98',
          weight: 3,
          name: 'eu-project',
        },
      },
    },
  })
  @ApiErrorResponses(
    'gateway',
    {
      status: 400,
      description: 'Invalid body (e.g. a weight that is not an integer from 1 to 1000)',
    },
    401,
    403,
    413,
  )
  @Scopes('admin')
  @ApiOperation({
    summary: "Store one of the org's keys for a service",
    description:
      "Encrypted at rest (AES-256-GCM); the org's keys for a service are used instead of the deployment's. Several keys per service form a pool: calls are spread by `weight`, and a key answering 401/403, 429 or 5xx cools down while the others take its share. Only a masked form is ever returned.",
  })
  @ApiEnvelope(ProviderKeyResponse, { status: 201 })
  async create(
    @CurrentPrincipal() p: Principal,
    @Body() body: CreateProviderKeyDto,
  ): Promise<Ok<ProviderKey>> {
    return ok(await this.keys.create(p.orgId, body));
  }

  @Get()
  @ApiErrorResponses('gateway', { status: 400, description: 'A bad limit or cursor' }, 401)
  @ApiOperation({ summary: "List the org's provider keys (masked)" })
  @ApiEnvelope(ProviderKeyResponse, { list: true })
  async list(
    @CurrentPrincipal() p: Principal,
    @Query() q: ListQueryDto,
  ): Promise<OkPage<ProviderKey>> {
    return okPage(await this.keys.list(p.orgId, q));
  }

  @Get(':id')
  @ApiErrorResponses('gateway', { status: 400, description: 'A malformed provider key id' }, 401, {
    status: 404,
    description: 'No such provider key in this org',
  })
  @ApiOperation({ summary: 'Get a provider key (masked)' })
  @ApiEnvelope(ProviderKeyResponse)
  async get(
    @CurrentPrincipal() p: Principal,
    @Param('id', KeyId) id: string,
  ): Promise<Ok<ProviderKey>> {
    return ok(await this.keys.get(p.orgId, id));
  }

  @Patch(':id')
  @ApiBody({
    type: UpdateProviderKeyDto,
    examples: {
      rotate: {
        summary: 'Replace the key',
        value: { api_key: 'mistral-fedcba9876543210fedcba9876' },
      },
      reweigh: { summary: "Change the key's share", value: { weight: 2 } },
    },
  })
  @ApiErrorResponses(
    'gateway',
    { status: 400, description: 'Invalid body' },
    401,
    403,
    { status: 404, description: 'No such provider key in this org' },
    413,
  )
  @Scopes('admin')
  @ApiOperation({ summary: 'Replace the key, the base URL, the weight and/or the name' })
  @ApiEnvelope(ProviderKeyResponse)
  async update(
    @CurrentPrincipal() p: Principal,
    @Param('id', KeyId) id: string,
    @Body() body: UpdateProviderKeyDto,
  ): Promise<Ok<ProviderKey>> {
    return ok(await this.keys.update(p.orgId, id, body));
  }

  @Delete(':id')
  @ApiErrorResponses(
    'gateway',
    { status: 400, description: 'A malformed provider key id' },
    401,
    403,
    { status: 404, description: 'No such provider key in this org' },
  )
  @Scopes('admin')
  @ApiOperation({
    summary:
      "Delete a provider key (its service's other keys take its share; with none left, the deployment's keys apply again)",
  })
  @ApiEnvelope(Deleted)
  async delete(
    @CurrentPrincipal() p: Principal,
    @Param('id', KeyId) id: string,
  ): Promise<Ok<Deleted>> {
    await this.keys.delete(p.orgId, id);
    return deleted(id);
  }
}
