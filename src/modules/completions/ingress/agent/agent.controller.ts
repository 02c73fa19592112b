import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
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
import { RateLimited } from '../../../throttling';
import { AsyncCompletions, type AcceptedJob } from '../../async/async-completions.service';
import { CompletionPipeline } from '../../pipeline/completion-pipeline.service';
import { JobBuilder } from '../../pipeline/job-builder';
import { sendStream } from '../sse/stream-response';
import { agentResponseData, agentStreamFormat } from './agent.adapter';
import { AgentCompletionDto } from './dto/agent-completion.dto';
import { AgentCompletionResponseDto } from './dto/agent-completion-response.dto';
import { ApiErrorResponses, ApiJsonOrStreamOkResponse } from '../../../../common/swagger';

@ApiTags('completions')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/v2/model')
export class AgentCompletionController {
  constructor(
    private readonly jobs: JobBuilder,
    private readonly pipeline: CompletionPipeline,
    private readonly asyncCompletions: AsyncCompletions,
  ) {}

  @Post('chat/completion')
  @ApiBody({
    type: AgentCompletionDto,
    examples: {
      ask: {
        summary: 'Ask a stored agent, in a thread',
        description:
          'Replace agent_id with the `id` POST /api/v1/agents answered for its example (an agent whose prompt uses {{company}}).',
        value: {
          agent_id: 'agt_3q2JXhN0v8S2aLr1m9BzQw',
          user: 'What are your opening hours?',
          variables: { company: 'Acme' },
          thread_id: 'thread-42',
        },
      },
    },
  })
  @ApiErrorResponses(
    'gateway',
    {
      status: 400,
      description:
        "Invalid body, a parameter the agent's model cannot take, or a {{variable}} of the prompt not set",
    },
    401,
    { status: 404, description: 'No such agent in this org' },
    413,
    429,
    503,
  )
  @HttpCode(200)
  @RateLimited()
  @ApiOperation({
    summary: 'Run a stored agent',
    description:
      'Loads the agent, fills `{{variables}}` in its prompt, adds the thread history, runs its tools in the gateway, ' +
      'uses the response cache, and answers in the gateway envelope — or as Server-Sent Events with `stream: true` ' +
      '(`start`, `delta`, `tool_call`, `done` events, then `[DONE]`).',
  })
  @ApiJsonOrStreamOkResponse(AgentCompletionResponseDto, {
    description:
      'The answer in the gateway envelope (JSON), or with `stream: true` Server-Sent Events',
    stream: '`start`, `delta`, `tool_call` and `done` events, then `data: [DONE]`',
  })
  @ApiAcceptedResponse({
    description:
      'response_format.type "webhook": `{ success: true, data: { job_id, status } }`; the answer is ' +
      'POSTed (signed) to the URL later, and GET /api/v2/model/jobs/:job_id reads the job',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Webhook format only: the same key (per org) returns the same job',
  })
  async complete(
    @Body() body: AgentCompletionDto,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    // The handler sends its own response (JSON or SSE): with passthrough Nest would also call
    // reply.send() after a stream, which Fastify answers by building an "already sent" error.
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (body.response_format?.type === 'webhook') {
      const accepted: { success: true; data: AcceptedJob } = await this.asyncCompletions.accept(
        body,
        principal,
        req,
      );
      void reply.status(202).send(accepted);
      return;
    }
    const started = performance.now();
    const requestId = String(req.id);
    const job = await this.jobs.fromAgentRequest(
      body,
      principal,
      requestId,
      this.pipeline.defaultCacheTtl,
    );
    const ctx = { agentId: job.agentId ?? '', threadId: job.thread?.threadId, requestId };
    if (body.stream) {
      await sendStream(
        reply,
        (signal) => this.pipeline.stream(job, signal),
        agentStreamFormat(ctx, started),
      );
      return;
    }
    // A client that leaves before its answer cancels the upstream call (and any tool calls).
    const outcome = await this.pipeline.complete(job, clientGoneSignal(reply));
    void reply.send({
      success: true,
      data: agentResponseData(outcome, { ...ctx, latencyMs: performance.now() - started }),
    });
  }
}
