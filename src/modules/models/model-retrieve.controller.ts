import { Controller, Get, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AppException, ErrorCode } from '../../common/errors';
import { OPENAI_ERROR_SCHEMA } from '../embeddings/openai-error.schema';
import { ModelCatalogService } from '../providers';
import { createdOf, type OpenAiModel, toOpenAiModel } from './openai-model';

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
  @ApiOperation({ summary: "One model in OpenAI's shape; the id is `<service>/<model>`" })
  @ApiParam({ name: '*', description: 'The model id, e.g. openai/gpt-4o-mini (may be %-encoded)' })
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
  @ApiNotFoundResponse({ description: 'No such model in the catalog', schema: OPENAI_ERROR_SCHEMA })
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
