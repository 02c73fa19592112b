import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ModelCatalogService } from '../providers';
import { ApiErrorResponses } from '../../common/swagger';

/** Unix seconds of the catalog version date: OpenAI's `created` for every listed model. */
function createdOf(version: string): number {
  const t = Date.parse(version);
  return Number.isNaN(t) ? 0 : Math.floor(t / 1000);
}

@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller()
export class ModelsController {
  constructor(private readonly catalog: ModelCatalogService) {}

  @Get('v1/models')
  @ApiErrorResponses('openai', 401)
  @ApiTags('openai-compatible')
  @ApiOperation({ summary: "Models in OpenAI's list shape; ids are `<service>/<model>`" })
  @ApiOkResponse({
    schema: {
      example: {
        object: 'list',
        data: [
          { id: 'openai/gpt-4o-mini', object: 'model', created: 1761955200, owned_by: 'openai' },
        ],
      },
    },
  })
  openAiList() {
    const listing = this.catalog.list();
    const created = createdOf(listing.version);
    return {
      object: 'list' as const,
      data: listing.models.map((m) => ({
        id: m.id,
        object: 'model' as const,
        created,
        owned_by: m.service,
      })),
    };
  }

  @Get('api/v1/models')
  @ApiErrorResponses('gateway', 401)
  @ApiTags('models')
  @ApiOperation({
    summary:
      'The model catalog: context window, max output, features, allowed parameters with ranges, prices per million tokens (input, output, cache reads and writes, reasoning, long-context tier; README, Cost)',
  })
  @ApiOkResponse({
    description: 'The catalog version and every model with its entry',
    schema: {
      example: {
        success: true,
        data: {
          version: '2025-06-01',
          models: [
            {
              id: 'openai/gpt-4o-mini',
              service: 'openai',
              model: 'gpt-4o-mini',
              context_window: 128000,
              max_output_tokens: 16384,
              pricing: { input_per_mtok: 0.15, output_per_mtok: 0.6, cached_input_per_mtok: 0.075 },
            },
          ],
        },
      },
    },
  })
  catalogList() {
    return { success: true as const, data: this.catalog.list() };
  }
}
