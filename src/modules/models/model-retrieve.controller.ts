import { Controller, Get, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AppException, ErrorCode } from '../../common/errors';
import { ModelCatalogService } from '../providers';
import { createdOf, type OpenAiModel, toOpenAiModel } from './openai-model';
import { ApiErrorResponses } from '../../common/swagger';

@ApiTags('openai-compatible')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller()
export class ModelRetrieveController {
  constructor(private readonly catalog: ModelCatalogService) {}

  /**
   * Ids hold a slash (`openai/gpt-4o-mini`) and the openai SDK percent-encodes it
   * (`openai%2Fgpt-4o-mini`), so one wildcard route takes the rest of the path either way.
   */
  @Get('v1/models/*')
  @ApiErrorResponses('openai', 401, { status: 404, description: 'No such model in the catalog' })
  @ApiOperation({ summary: "One model in OpenAI's shape; the id is `<service>/<model>`" })
  // Nest names the wildcard `path` in the document; Swagger UI percent-encodes the slash.
  @ApiParam({
    name: 'path',
    description: 'The model id, `<service>/<model>` (may be %-encoded)',
    example: 'openai/gpt-4o-mini',
  })
  @ApiOkResponse({
    schema: {
      example: {
        id: 'openai/gpt-4o-mini',
        object: 'model',
        created: 1761955200,
        owned_by: 'openai',
      },
    },
  })
  retrieve(@Req() req: FastifyRequest): OpenAiModel {
    const raw = (req.params as Record<string, string | undefined>)['*'] ?? '';
    let id: string;
    try {
      id = decodeURIComponent(raw);
    } catch {
      id = raw;
    }
    const listing = this.catalog.list();
    const model = listing.models.find((m) => m.id === id);
    if (!model) {
      throw new AppException(
        ErrorCode.NOT_FOUND,
        `The model "${id}" does not exist; GET /v1/models lists the available models`,
        { status: 404, param: 'model' },
      );
    }
    return toOpenAiModel(model, createdOf(listing.version));
  }
}
