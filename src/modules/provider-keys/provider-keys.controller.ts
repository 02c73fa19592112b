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
import { CreateProviderKeyDto } from './dto/create-provider-key.dto';
import { ProviderKeyResponse } from './dto/provider-key.response';
import { UpdateProviderKeyDto } from './dto/update-provider-key.dto';
import { PROVIDER_KEY_ID_PREFIX, type ProviderKey } from './provider-key.types';
import { ProviderKeysService } from './provider-keys.service';

const KeyId = new ParseIdPipe(PROVIDER_KEY_ID_PREFIX, 'id');

@ApiTags('provider-keys')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/v1/provider-keys')
export class ProviderKeysController {
  constructor(private readonly keys: ProviderKeysService) {}

  @Post()
  @Scopes('admin')
  @ApiOperation({
    summary: "Store the org's key for a service",
    description:
      "Encrypted at rest (AES-256-GCM); used instead of the deployment's key for this org. Only a masked form is ever returned.",
  })
  @ApiEnvelope(ProviderKeyResponse, { status: 201 })
  async create(
    @CurrentPrincipal() p: Principal,
    @Body() body: CreateProviderKeyDto,
  ): Promise<Ok<ProviderKey>> {
    return ok(await this.keys.create(p.orgId, body));
  }

  @Get()
  @ApiOperation({ summary: "List the org's provider keys (masked)" })
  @ApiEnvelope(ProviderKeyResponse, { list: true })
  async list(
    @CurrentPrincipal() p: Principal,
    @Query() q: ListQueryDto,
  ): Promise<OkPage<ProviderKey>> {
    return okPage(await this.keys.list(p.orgId, q));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a provider key (masked)' })
  @ApiEnvelope(ProviderKeyResponse)
  async get(
    @CurrentPrincipal() p: Principal,
    @Param('id', KeyId) id: string,
  ): Promise<Ok<ProviderKey>> {
    return ok(await this.keys.get(p.orgId, id));
  }

  @Patch(':id')
  @Scopes('admin')
  @ApiOperation({ summary: 'Replace the key and/or the base URL' })
  @ApiEnvelope(ProviderKeyResponse)
  async update(
    @CurrentPrincipal() p: Principal,
    @Param('id', KeyId) id: string,
    @Body() body: UpdateProviderKeyDto,
  ): Promise<Ok<ProviderKey>> {
    return ok(await this.keys.update(p.orgId, id, body));
  }

  @Delete(':id')
  @Scopes('admin')
  @ApiOperation({ summary: "Delete a provider key (the deployment's key applies again)" })
  @ApiEnvelope(Deleted)
  async delete(
    @CurrentPrincipal() p: Principal,
    @Param('id', KeyId) id: string,
  ): Promise<Ok<Deleted>> {
    await this.keys.delete(p.orgId, id);
    return deleted(id);
  }
}
