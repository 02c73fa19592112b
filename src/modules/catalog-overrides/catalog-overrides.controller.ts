import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../../common/auth/principal';
import { DEPLOYMENT_ADMIN_SCOPE } from '../../common/auth/scopes';
import { CurrentPrincipal, Scopes } from '../../common/decorators';
import { ApiEnvelope, ok, type Ok } from '../../common/http/envelope';
import type { CatalogOverrides } from '../providers';
import { CatalogOverridesService, type CatalogOverridesView } from './catalog-overrides.service';
import { CatalogOverridesDto, CatalogOverridesResponse } from './dto/catalog-overrides.dto';
import { ApiErrorResponses } from '../../common/swagger';

/**
 * The catalog is one for the whole deployment, so changing it takes more than an org's `admin`
 * scope: also `deployment:admin`, which only a JWT signed by the deployment's keys can carry
 * (an org's API keys never do: see common/auth/scopes).
 */
export { DEPLOYMENT_ADMIN_SCOPE };

@ApiTags('models')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/v1/catalog-overrides')
export class CatalogOverridesController {
  constructor(private readonly overrides: CatalogOverridesService) {}

  @Get()
  @ApiErrorResponses('gateway', 401, 403)
  @Scopes('admin')
  @ApiOperation({ summary: 'The stored model-catalog overrides (deployment-wide)' })
  @ApiEnvelope(CatalogOverridesResponse)
  async get(): Promise<Ok<CatalogOverridesView>> {
    return ok(await this.overrides.get());
  }

  @Put()
  @ApiBody({
    type: CatalogOverridesDto,
    examples: {
      reprice: {
        summary: "Change a model's prices",
        value: {
          services: {
            openai: {
              models: {
                'gpt-4o-mini': { pricing: { input_per_mtok: 0.15, output_per_mtok: 0.6 } },
              },
            },
          },
        },
      },
    },
  })
  @ApiErrorResponses(
    'gateway',
    400,
    401,
    {
      status: 403,
      description:
        'Needs the admin scope and, to change the deployment-wide catalog, deployment:admin',
    },
    413,
  )
  @Scopes('admin', DEPLOYMENT_ADMIN_SCOPE)
  @ApiOperation({
    summary: 'Replace the model-catalog overrides (deployment-wide)',
    description:
      'Needs the `admin` and `deployment:admin` scopes; `deployment:admin` comes only from a JWT signed by the ' +
      "deployment's keys, never from a gateway API key. Validated against the merged catalog first: an invalid set " +
      'is refused with 400 and one line per problem. Applied at once here and within seconds on every instance; ' +
      'stored overrides win over the versioned catalog file.',
  })
  @ApiEnvelope(CatalogOverridesResponse)
  async put(
    @CurrentPrincipal() p: Principal,
    @Body() body: CatalogOverridesDto,
  ): Promise<Ok<CatalogOverridesView>> {
    const overrides: CatalogOverrides = {};
    if (body.version !== undefined) overrides.version = body.version;
    if (body.services !== undefined) {
      overrides.services = body.services;
    }
    return ok(await this.overrides.put(overrides, p.userId));
  }
}
