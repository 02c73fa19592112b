import { Body, Controller, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiHeader,
  ApiOperation,
  ApiProduces,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../../../common/auth/principal';
import { CurrentPrincipal } from '../../../../common/decorators';
import { AppException, ErrorCode } from '../../../../common/errors';
import { RateLimited } from '../../../throttling';
import { CompletionPipeline } from '../../pipeline/completion-pipeline.service';
import { JobBuilder } from '../../pipeline/job-builder.service';
import { requestExtrasFrom } from '../shared/request-extras';
import { sendStream } from '../sse/stream-response';
import { OpenAiChatCompletionDto } from './dto/openai-chat.dto';
import { openAiStreamFormat, toChatCompletion, toChatRequest } from './openai-chat.adapter';

@ApiTags('openai-compatible')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('v1')
export class OpenAiCompletionController {
  constructor(
    private readonly jobs: JobBuilder,
    private readonly pipeline: CompletionPipeline,
  ) {}

  @Post('chat/completions')
  @HttpCode(200)
  @RateLimited()
  @ApiOperation({
    summary: 'OpenAI-compatible chat completions (JSON or SSE)',
    description:
      'The OpenAI request and response shapes, so the official SDK works with only `baseURL` changed. ' +
      "`model` is `<service>/<model>` or `agent/<agent_id>`. Client tools are returned to the client; an agent's stored tools run in the gateway.",
  })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiHeader({
    name: 'x-thread-id',
    required: false,
    description: 'Store and replay the conversation under this thread',
  })
  @ApiHeader({
    name: 'x-sub-thread-id',
    required: false,
    description: 'Sub-thread within x-thread-id',
  })
  @ApiHeader({
    name: 'x-cache-ttl',
    required: false,
    description: 'Seconds to cache the answer; 0 disables the cache',
  })
  @ApiHeader({
    name: 'cache-control',
    required: false,
    description: '`no-cache` bypasses the response cache',
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
    const job = await this.jobs.fromChatRequest(
      toChatRequest(body),
      requestExtrasFrom(headers),
      principal,
      requestId,
      this.pipeline.defaultCacheTtl,
    );
    const id = `chatcmpl-${requestId}`;
    if (body.stream) {
      await sendStream(
        reply,
        (signal) => this.pipeline.stream(job, signal),
        openAiStreamFormat(id, body.stream_options?.include_usage === true),
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
    void reply.send(toChatCompletion(await this.pipeline.complete(job), id));
  }
}
