import { Body, Controller, Headers, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiHeader,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../../../common/auth/principal';
import { CurrentPrincipal } from '../../../../common/decorators';
import { clientGoneSignal } from '../../../../common/http/client-gone';
import { AppException, ErrorCode } from '../../../../common/errors';
import { ModelCatalogService } from '../../../providers';
import type { PipelineEvent } from '../../pipeline/completion-job';
import { CompletionPipeline } from '../../pipeline/completion-pipeline.service';
import { JobBuilder } from '../../pipeline/job-builder';
import { qualifiedModel } from '../shared/model-ref';
import { requestExtrasFrom } from '../shared/request-extras';
import { sendStream } from '../sse/stream-response';
import { OpenAiChatCompletionDto } from './dto/openai-chat.dto';
import { openAiStreamFormat, toChatCompletion, toChatRequest } from './openai-chat.adapter';
import { ApiJsonOrStreamOkResponse } from '../../../../common/swagger';
import { OpenAiChatCompletionResponseDto } from './dto/openai-chat-response.dto';
import { CompletionRoute, MODEL_NOT_FOUND, GATEWAY_HEADERS } from '../shared/route-decorators';

/** Names the parameters the parameter policy left out for the target model. */
export const DROPPED_PARAMS_HEADER = 'x-gateway-dropped-params';
/** `hit` when the answer came from the response cache, `miss` otherwise. */
export const CACHE_HEADER = 'x-cache';

/**
 * Sets `x-cache` from the stream's first event (a replayed answer's start says it is cached),
 * before sendStream writes the headers.
 */
function cacheHeaderFrom(reply: FastifyReply): (first: PipelineEvent) => void {
  return (first) => {
    void reply.header(CACHE_HEADER, first.type === 'start' && first.cached ? 'hit' : 'miss');
  };
}

@ApiTags('openai-compatible')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('v1')
export class OpenAiCompletionController {
  constructor(
    private readonly jobs: JobBuilder,
    private readonly pipeline: CompletionPipeline,
    private readonly catalog: ModelCatalogService,
  ) {}

  @Post('chat/completions')
  @ApiBody({
    type: OpenAiChatCompletionDto,
    examples: {
      chat: {
        summary: 'A chat completion',
        value: {
          model: 'openai/gpt-4o-mini',
          messages: [
            { role: 'system', content: 'You are a helpful assistant.' },
            { role: 'user', content: 'What is the capital of France?' },
          ],
          temperature: 0.7,
          max_tokens: 256,
        },
      },
      anthropic_model: {
        summary: 'The same request answered by an Anthropic model',
        value: {
          model: 'anthropic/claude-sonnet-4-6',
          messages: [{ role: 'user', content: 'What is the capital of France?' }],
          max_tokens: 256,
        },
      },
    },
  })
  @CompletionRoute(
    'openai',
    {
      status: 400,
      description:
        'Invalid body (a wrong type names the field in `error.param`), or in strict mode a parameter the target model cannot take (`error.param` set)',
    },
    401,
    MODEL_NOT_FOUND,
    413,
    429,
    503,
  )
  @ApiOperation({
    summary: 'OpenAI-compatible chat completions (JSON or SSE)',
    description:
      'The OpenAI request and response shapes, so the official SDK works with only `baseURL` changed. ' +
      "`model` is `<service>/<model>`, a bare id the catalog lists (`gpt-4o-mini`) or `agent/<agent_id>`. Client tools are returned to the client; an agent's stored tools run in the gateway. " +
      'Parameter policy: every OpenAI parameter is accepted; what the target model takes is passed on or translated, the rest is dropped and named in the `x-gateway-dropped-params` response header (JSON and stream), or refused with a 400 naming it in strict mode (`x-gateway-strict-params: true` or STRICT_PARAMS=true).',
  })
  @ApiJsonOrStreamOkResponse(OpenAiChatCompletionResponseDto, {
    description: 'A `chat.completion` object (JSON), or with `stream: true` Server-Sent Events',
    stream: '`data:` lines of `chat.completion.chunk` objects, ending in `data: [DONE]`',
    headers: {
      [DROPPED_PARAMS_HEADER]: {
        description:
          'Comma-separated parameters the target model cannot take, left out of the upstream call (absent when none)',
        schema: { type: 'string', example: 'seed, logprobs' },
      },
      [CACHE_HEADER]: {
        description: '`hit` when the answer came from the response cache, otherwise `miss`',
        schema: { type: 'string', enum: ['hit', 'miss'] },
      },
    },
  })
  @ApiHeader(GATEWAY_HEADERS.threadId)
  @ApiHeader(GATEWAY_HEADERS.subThreadId)
  @ApiHeader(GATEWAY_HEADERS.cacheTtl)
  @ApiHeader(GATEWAY_HEADERS.cacheControl)
  @ApiHeader({
    name: 'x-gateway-strict-params',
    required: false,
    enum: ['true', 'false'],
    description:
      '`true`: a parameter the target model cannot take is a 400 naming it (`error.param`) instead of ' +
      'being dropped. STRICT_PARAMS=true makes this the deployment default.',
  })
  async complete(
    @Body() body: OpenAiChatCompletionDto,
    @Headers() headers: Record<string, string | undefined>,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    // The handler sends its own response (JSON or SSE): with passthrough Nest would also call
    // reply.send() after a stream, which Fastify answers by building an "already sent" error.
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const requestId = String(req.id);
    const extras = requestExtrasFrom(headers);
    // The header asks for strict mode per request; STRICT_PARAMS makes it the deployment's rule.
    extras.strictParams = extras.strictParams === true || this.pipeline.strictParams;
    const job = await this.jobs.fromChatRequest(
      { ...toChatRequest(body), model: qualifiedModel(body.model, this.catalog) },
      extras,
      principal,
      requestId,
      this.pipeline.defaultCacheTtl,
    );
    if (job.droppedParams?.length) {
      void reply.header(DROPPED_PARAMS_HEADER, job.droppedParams.join(', '));
    }
    const id = `chatcmpl-${requestId}`;
    if (body.stream) {
      await sendStream(
        reply,
        (signal) => this.pipeline.stream(job, signal),
        openAiStreamFormat(id, body.stream_options?.include_usage === true),
        cacheHeaderFrom(reply),
      );
      return;
    }
    if (body.stream_options) {
      throw new AppException(
        ErrorCode.VALIDATION_FAILED,
        'stream_options is only allowed with stream: true',
        { param: 'stream_options' },
      );
    }
    // A client that leaves before its answer cancels the upstream call.
    const outcome = await this.pipeline.complete(job, clientGoneSignal(reply));
    void reply.header(CACHE_HEADER, outcome.cached ? 'hit' : 'miss');
    void reply.send(toChatCompletion(outcome, id));
  }
}
