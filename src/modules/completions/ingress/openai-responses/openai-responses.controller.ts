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
import { ApiJsonOrStreamOkResponse } from '../../../../common/swagger';
import { DROPPED_PARAMS_HEADER } from '../openai-chat/openai-chat.controller';
import { newId } from '../../../../common/ids/new-id';
import { sendStream } from '../sse/stream-response';
import { BackgroundResponses } from './responses.background';
import { ResponsesRunner } from './responses.runner';
import { OpenAiResponsesDto } from './dto/openai-responses.dto';
import { ResponseObjectDto } from './dto/openai-responses-response.dto';
import { responsesStreamFormat } from './responses.stream';
import { CompletionRoute, MODEL_NOT_FOUND, GATEWAY_HEADERS } from '../shared/route-decorators';

/** A response's id: `resp_` and the request id without dashes, as /v1/messages does `msg_`. */
@ApiTags('responses')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('v1/responses')
export class OpenAiResponsesController {
  constructor(
    private readonly runner: ResponsesRunner,
    private readonly background: BackgroundResponses,
  ) {}

  @Post()
  @ApiBody({
    type: OpenAiResponsesDto,
    examples: {
      text: {
        summary: 'A response, as the openai SDK sends it',
        value: {
          model: 'openai/gpt-4o-mini',
          instructions: 'You are a helpful assistant.',
          input: 'Tell me a three sentence bedtime story about a unicorn.',
        },
      },
      anthropic_model: {
        summary: 'The same request answered by an Anthropic model',
        value: {
          model: 'anthropic/claude-sonnet-4-6',
          input: [{ role: 'user', content: 'What is the capital of France?' }],
          max_output_tokens: 256,
        },
      },
      function_tool: {
        summary: 'A function tool round trip: the call, then its output',
        value: {
          model: 'openai/gpt-4o-mini',
          tools: [
            {
              type: 'function',
              name: 'get_weather',
              description: 'Current weather for a city',
              parameters: {
                type: 'object',
                properties: { city: { type: 'string' } },
                required: ['city'],
              },
            },
          ],
          input: [
            { role: 'user', content: 'Weather in Paris?' },
            {
              type: 'function_call',
              call_id: 'call_1',
              name: 'get_weather',
              arguments: '{"city":"Paris"}',
            },
            { type: 'function_call_output', call_id: 'call_1', output: '18C, sunny' },
          ],
        },
      },
      background: {
        summary: 'Background mode: answered at once (queued), then polled by its id',
        value: {
          model: 'anthropic/claude-sonnet-4-6',
          input: 'Summarise the plot of Hamlet in two sentences.',
          background: true,
        },
      },
    },
  })
  @CompletionRoute(
    'openai',
    {
      status: 400,
      description:
        'Invalid body: `error.param` names the field (`input[3].type` for an input item type the gateway does not support, `tools[0].type` for a hosted tool)',
    },
    401,
    MODEL_NOT_FOUND,
    413,
    429,
    503,
  )
  @ApiOperation({
    summary: 'OpenAI Responses API: create a response (JSON or SSE), for every provider',
    description:
      "OpenAI's Responses request, `response` object, stream events and error shapes, so " +
      '`client.responses.create` / `client.responses.stream` of the official SDK work with only ' +
      '`baseURL` changed. `model` is `<service>/<model>`, a bare id the catalog lists or ' +
      '`agent/<agent_id>`: an Anthropic model answers in Responses shape too. Input items: ' +
      'messages, `function_call`, `function_call_output` (reasoning items are ignored); tools: ' +
      'function tools only. `max_output_tokens` is sent as max_tokens; `temperature`, `top_p`, ' +
      '`reasoning.effort`, `text.verbosity` go to models whose catalog entry takes them. The ' +
      'gateway headers of /v1 (x-thread-id, x-cache-ttl, ...) apply.',
  })
  @ApiJsonOrStreamOkResponse(ResponseObjectDto, {
    description: 'A `response` object (JSON), or with `stream: true` Server-Sent Events',
    stream:
      'Named events with `sequence_number`: `response.created`, `response.in_progress`, ' +
      '`response.output_item.added`, `response.content_part.added`, `response.output_text.delta`, ' +
      '`response.output_text.done`, `response.content_part.done`, ' +
      '`response.function_call_arguments.delta`/`.done`, `response.output_item.done`, then ' +
      '`response.completed` (or `response.incomplete`; `response.failed` on a failure); no `[DONE]`',
  })
  @ApiHeader(GATEWAY_HEADERS.threadId)
  @ApiHeader(GATEWAY_HEADERS.cacheTtl)
  async create(
    @Body() body: OpenAiResponsesDto,
    @Headers() headers: Record<string, string | undefined>,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    // The handler sends its own response (JSON or SSE), as the other ingress controllers do.
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const requestId = String(req.id);
    // Random, not the request id (which a client may choose): a stored id must be unique.
    const id = newId('resp');
    if (body.background) {
      void reply.send(await this.background.submit(body, headers, principal, requestId, id));
      return;
    }
    const prepared = await this.runner.prepare(body, headers, principal, requestId, id);
    const { job } = prepared;
    if (job.droppedParams?.length) {
      void reply.header(DROPPED_PARAMS_HEADER, job.droppedParams.join(', '));
    }
    if (body.stream) {
      await sendStream(
        reply,
        (signal) => this.runner.stream(prepared, signal),
        responsesStreamFormat(prepared.meta),
      );
      return;
    }
    // A client that leaves before its answer cancels the upstream call.
    void reply.send(await this.runner.complete(prepared, clientGoneSignal(reply)));
  }
}
