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
import type { Principal } from '../../common/auth/principal';
import { CurrentPrincipal } from '../../common/decorators';
import { AppException, ErrorCode } from '../../common/errors';
import { RateLimited } from '../throttling';
import { OpenAiChatCompletionDto } from './dto/openai-chat.dto';
import { openAiStreamFormat, toChatCompletion } from './http/openai-format';
import { sendStream } from './http/stream-response';
import { CompletionPipeline } from './pipeline/completion-pipeline.service';
import { JobBuilder, type OpenAiExtras } from './pipeline/job-builder.service';

const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

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
    const job = await this.jobs.fromOpenAiRequest(
      body,
      extrasFrom(headers),
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

function extrasFrom(headers: Record<string, string | undefined>): OpenAiExtras {
  const threadId = headers['x-thread-id'];
  const subThreadId = headers['x-sub-thread-id'];
  for (const [name, value] of [
    ['x-thread-id', threadId],
    ['x-sub-thread-id', subThreadId],
  ] as const) {
    if (value !== undefined && !ID_PATTERN.test(value)) {
      throw new AppException(
        ErrorCode.VALIDATION_FAILED,
        `${name} must be 1-128 characters of letters, digits, . _ : -`,
        { param: name },
      );
    }
  }
  const ttlHeader = headers['x-cache-ttl'];
  let cacheTtl: number | undefined;
  if (ttlHeader !== undefined) {
    cacheTtl = Number(ttlHeader);
    if (!Number.isInteger(cacheTtl) || cacheTtl < 0 || cacheTtl > 2592000) {
      throw new AppException(
        ErrorCode.VALIDATION_FAILED,
        'x-cache-ttl must be an integer number of seconds between 0 and 2592000',
        { param: 'x-cache-ttl' },
      );
    }
  }
  const noCache = /(^|,)\s*no-(cache|store)\s*(,|$)/i.test(headers['cache-control'] ?? '');
  return { threadId, subThreadId, cacheTtl, noCache };
}
