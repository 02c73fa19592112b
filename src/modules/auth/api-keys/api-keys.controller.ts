import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiNoContentResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Principal } from '../../../common/auth/principal';
import { CurrentPrincipal, Scopes } from '../../../common/decorators';
import { ApiEnvelope, ok, okPage, type Ok, type OkPage } from '../../../common/http/envelope';
import { ListQueryDto } from '../../../common/pagination';
import { ParseIdPipe } from '../../../common/pipes/parse-id.pipe';
import { API_KEY_ID_PREFIX } from './api-key.types';
import { ApiKeysService } from './api-keys.service';
import { CreateApiKeyDto, UpdateApiKeyDto } from './dto/api-key.dto';
import { ApiKeyView, CreatedApiKeyView, toApiKeyView } from './dto/api-key.response';
import { ApiErrorResponses } from '../../../common/swagger';

const KeyId = new ParseIdPipe(API_KEY_ID_PREFIX, 'id');

/** Gateway API keys of the caller's org. Admin scope required throughout. */
@ApiTags('api-keys')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Scopes('admin')
@Controller('api/v1/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiBody({
    type: CreateApiKeyDto,
    examples: {
      service_key: {
        summary: 'A key for a backend service, limited to 120 requests a minute',
        value: {
          name: 'billing-service (prod)',
          rate_limit: { per_minute: 120 },
          expires_at: '2030-01-01T00:00:00Z',
        },
      },
    },
  })
  @ApiErrorResponses(
    'gateway',
    {
      status: 400,
      description: 'Invalid body, a deployment-wide scope, or expires_at without a time zone',
    },
    401,
    {
      status: 403,
      description: 'The admin scope is required, or the key would carry a scope the caller lacks',
    },
    413,
  )
  @ApiOperation({
    summary: 'Create an API key',
    description:
      'The response holds the key (`secret`) once; only its hash is stored. The key acts as the caller ' +
      '(`user_id`, `created_by`) and may carry only scopes the caller holds (403 otherwise); deployment-wide ' +
      'scopes (`deployment:*`) are never given to API keys (400).',
  })
  @ApiEnvelope(CreatedApiKeyView, { status: 201 })
  async create(
    @CurrentPrincipal() caller: Principal,
    @Body() dto: CreateApiKeyDto,
  ): Promise<Ok<CreatedApiKeyView>> {
    const { key, secret } = await this.keys.create(caller, dto);
    return ok({ ...toApiKeyView(key), secret });
  }

  @Get()
  @ApiErrorResponses('gateway', { status: 400, description: 'A bad limit or cursor' }, 401, 403)
  @ApiOperation({ summary: 'List API keys (masked: prefix only)' })
  @ApiEnvelope(ApiKeyView, { list: true })
  async list(
    @CurrentPrincipal() caller: Principal,
    @Query() query: ListQueryDto,
  ): Promise<OkPage<ApiKeyView>> {
    const page = await this.keys.list(caller.orgId, query);
    const now = new Date();
    return okPage({ ...page, items: page.items.map((k) => toApiKeyView(k, now)) });
  }

  @Get(':id')
  @ApiErrorResponses('gateway', { status: 400, description: 'A malformed key id' }, 401, 403, {
    status: 404,
    description: 'No such key in this org',
  })
  @ApiOperation({ summary: 'Get one API key (masked)' })
  @ApiEnvelope(ApiKeyView)
  async get(
    @CurrentPrincipal() caller: Principal,
    @Param('id', KeyId) id: string,
  ): Promise<Ok<ApiKeyView>> {
    return ok(toApiKeyView(await this.keys.get(caller.orgId, id)));
  }

  @Patch(':id')
  @ApiBody({
    type: UpdateApiKeyDto,
    examples: {
      rename: { summary: 'Rename the key', value: { name: 'billing-service (staging)' } },
    },
  })
  @ApiErrorResponses(
    'gateway',
    {
      status: 400,
      description: 'Invalid body, a deployment-wide scope, or expires_at without a time zone',
    },
    401,
    {
      status: 403,
      description: 'The admin scope is required, or the key would carry a scope the caller lacks',
    },
    { status: 404, description: 'No such key in this org' },
    413,
  )
  @ApiOperation({
    summary: 'Change name, scopes, rate limit or expiry',
    description:
      'The key must end up with scopes the caller holds (403 otherwise), so an admin cannot widen, extend or ' +
      'lift the limit of a key stronger than itself; revoking or deleting one is always allowed.',
  })
  @ApiEnvelope(ApiKeyView)
  async update(
    @CurrentPrincipal() caller: Principal,
    @Param('id', KeyId) id: string,
    @Body() dto: UpdateApiKeyDto,
  ): Promise<Ok<ApiKeyView>> {
    return ok(toApiKeyView(await this.keys.update(caller, id, dto)));
  }

  @Post(':id/revoke')
  @ApiErrorResponses('gateway', { status: 400, description: 'A malformed key id' }, 401, 403, {
    status: 404,
    description: 'No such key in this org',
  })
  @HttpCode(200)
  @ApiOperation({
    summary: 'Revoke an API key',
    description: 'Refused on every instance at once; the record stays for audit.',
  })
  @ApiEnvelope(ApiKeyView)
  async revoke(
    @CurrentPrincipal() caller: Principal,
    @Param('id', KeyId) id: string,
  ): Promise<Ok<ApiKeyView>> {
    return ok(toApiKeyView(await this.keys.revoke(caller.orgId, id)));
  }

  @Delete(':id')
  @ApiErrorResponses('gateway', { status: 400, description: 'A malformed key id' }, 401, 403, {
    status: 404,
    description: 'No such key in this org',
  })
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an API key (refused on every instance at once)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  async delete(
    @CurrentPrincipal() caller: Principal,
    @Param('id', KeyId) id: string,
  ): Promise<void> {
    await this.keys.delete(caller.orgId, id);
  }
}
