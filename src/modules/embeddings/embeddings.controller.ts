import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../common/auth/principal';
import { CurrentPrincipal } from '../../common/decorators';
import { clientGoneSignal } from '../../common/http/client-gone';
import { RateLimited } from '../throttling';
import { EmbeddingsRequestDto, EmbeddingsResponseDto } from './dto/embeddings.dto';
import { EmbeddingsService } from './embeddings.service';
import { ApiErrorResponses } from '../../common/swagger';

@ApiTags('openai-compatible')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('v1')
export class EmbeddingsController {
  constructor(private readonly embeddings: EmbeddingsService) {}

  @Post('embeddings')
  @ApiBody({
    type: EmbeddingsRequestDto,
    examples: {
      texts: {
        summary: 'Embed two texts',
        value: {
          model: 'openai/text-embedding-3-small',
          input: ['The food was delicious', 'The waiter was friendly'],
        },
      },
    },
  })
  @ApiErrorResponses(
    'openai',
    {
      status: 400,
      description:
        'Empty input, more than 2048 inputs, a chat model, a service without embeddings, dimensions out of range',
    },
    401,
    { status: 404, description: 'Unknown model' },
    413,
    429,
    503,
  )
  @HttpCode(200)
  @RateLimited()
  @ApiOperation({
    summary: "OpenAI-compatible embeddings (OpenAI's request and response shapes)",
    description:
      '`model` is `<service>/<model>` for openai, mistral, gemini, openrouter and openai-compatible. ' +
      'Metered and priced like completions (usage rows, call log).',
  })
  @ApiOkResponse({ type: EmbeddingsResponseDto })
  create(
    @Body() body: EmbeddingsRequestDto,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EmbeddingsResponseDto> {
    // A client that leaves before its answer cancels the upstream call.
    return this.embeddings.create(body, principal, String(req.id), clientGoneSignal(reply));
  }
}
