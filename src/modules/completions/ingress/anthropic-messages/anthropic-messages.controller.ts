import { Body, Controller, Headers, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../../../common/auth/principal';
import { CurrentPrincipal } from '../../../../common/decorators';
import { clientGoneSignal } from '../../../../common/http/client-gone';
import { ModelCatalogService } from '../../../providers';
import { CompletionPipeline } from '../../pipeline/completion-pipeline.service';
import { estimateTokens } from '../../pipeline/history-trimmer';
import { JobBuilder } from '../../pipeline/job-builder';
import { catalogParamFilter, qualifiedModel } from '../shared/model-ref';
import { requestExtrasFrom } from '../shared/request-extras';
import { sendStream } from '../sse/stream-response';
import { toChatRequest, toMessages } from './anthropic-messages.request';
import { anthropicStreamFormat, toAnthropicMessage } from './anthropic-messages.response';
import { AnthropicCountTokensDto, AnthropicMessagesDto } from './dto/anthropic-messages.dto';
import {
  AnthropicCountTokensResponseDto,
  AnthropicMessageResponseDto,
} from './dto/anthropic-messages-response.dto';
import { ApiJsonOrStreamOkResponse } from '../../../../common/swagger';
import { CompletionRoute } from '../shared/route-decorators';

/** The errors both Messages routes can answer, in Anthropic's error shape. */
const MESSAGES_ERRORS = [
  { status: 400, description: 'invalid_request_error: a malformed body' },
  { status: 401, description: 'authentication_error: missing or bad key' },
  { status: 404, description: 'not_found_error: no service serves the model' },
  { status: 413, description: 'request_too_large' },
  429,
  503,
] as const;

@ApiTags('anthropic-messages')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiQuery({ name: 'beta', required: false, description: 'Accepted and ignored (Claude Code)' })
@ApiHeader({ name: 'anthropic-version', required: false, description: 'Accepted and ignored' })
@ApiHeader({ name: 'anthropic-beta', required: false, description: 'Accepted and ignored' })
@Controller('v1/messages')
export class AnthropicMessagesController {
  constructor(
    private readonly jobs: JobBuilder,
    private readonly pipeline: CompletionPipeline,
    private readonly catalog: ModelCatalogService,
  ) {}

  @Post()
  @ApiBody({
    type: AnthropicMessagesDto,
    examples: {
      message: {
        summary: 'A message, as @anthropic-ai/sdk sends it',
        value: {
          model: 'anthropic/claude-sonnet-4-6',
          max_tokens: 1024,
          system: 'You are a helpful assistant.',
          messages: [{ role: 'user', content: 'Hello, Claude' }],
        },
      },
      openai_model: {
        summary: 'An OpenAI model answering in Anthropic shape',
        value: {
          model: 'openai/gpt-4o-mini',
          max_tokens: 256,
          messages: [{ role: 'user', content: 'Hello' }],
        },
      },
    },
  })
  @CompletionRoute('anthropic', ...MESSAGES_ERRORS)
  @ApiOperation({
    summary: 'Anthropic Messages (JSON or SSE), for every provider',
    description:
      "Anthropic's request, response, SSE event and error shapes, so `@anthropic-ai/sdk` and Claude Code " +
      'work with only the base URL changed (key in `x-api-key` or `Authorization: Bearer`). `model` is a ' +
      'bare id resolved through the catalog, `<service>/<model>` or `agent/<agent_id>`: an OpenAI model ' +
      'answers in Anthropic shape too. The gateway headers of /v1 (x-thread-id, x-cache-ttl, ...) apply.',
  })
  @ApiJsonOrStreamOkResponse(AnthropicMessageResponseDto, {
    description: 'A `message` object (JSON), or with `stream: true` Server-Sent Events',
    stream:
      'Named events: `message_start`, `content_block_start`, `content_block_delta`, `content_block_stop`, `message_delta`, `message_stop`',
  })
  async create(
    @Body() body: AnthropicMessagesDto,
    @Headers() headers: Record<string, string | undefined>,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    // The handler sends its own response (JSON or SSE), as the other ingress controllers do.
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const requestId = String(req.id);
    const model = qualifiedModel(body.model, this.catalog);
    const job = await this.jobs.fromChatRequest(
      toChatRequest(body, model, catalogParamFilter(model, this.catalog)),
      requestExtrasFrom(headers),
      principal,
      requestId,
      this.pipeline.defaultCacheTtl,
    );
    const id = `msg_${requestId.replace(/-/g, '')}`;
    if (body.stream) {
      await sendStream(
        reply,
        (signal) => this.pipeline.stream(job, signal),
        anthropicStreamFormat(id, body.model),
      );
      return;
    }
    // A client that leaves before its answer cancels the upstream call.
    const outcome = await this.pipeline.complete(job, clientGoneSignal(reply));
    void reply.send(toAnthropicMessage(outcome, id, body.model));
  }

  @Post('count_tokens')
  @ApiBody({
    type: AnthropicCountTokensDto,
    examples: {
      message: {
        summary: 'Count the tokens of a message',
        value: {
          model: 'anthropic/claude-sonnet-4-6',
          messages: [{ role: 'user', content: 'Hello, Claude' }],
        },
      },
    },
  })
  @CompletionRoute('anthropic', ...MESSAGES_ERRORS)
  @ApiOperation({
    summary: 'Count the input tokens of a Messages request (an estimate)',
    description:
      'The same body as POST /v1/messages without `max_tokens`; answers `{input_tokens}`, estimated ' +
      'at about four characters a token, for any provider.',
  })
  @ApiOkResponse({ type: AnthropicCountTokensResponseDto })
  countTokens(@Body() body: AnthropicCountTokensDto): AnthropicCountTokensResponseDto {
    qualifiedModel(body.model, this.catalog);
    const messages = toMessages(body);
    const toolChars = body.tools ? JSON.stringify(body.tools).length : 0;
    const input = messages.reduce((n, m) => n + estimateTokens(m), 0) + Math.ceil(toolChars / 4);
    return { input_tokens: input };
  }
}
