import { Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Principal } from '../../../../common/auth/principal';
import { CurrentPrincipal } from '../../../../common/decorators';
import { ApiErrorResponses } from '../../../../common/swagger';
import { ResponsesStore, responseNotFound } from '../../../responses';
import {
  ListItemsQueryDto,
  ResponseDeletedDto,
  ResponseItemListDto,
} from './dto/responses-lists.dto';
import { ResponseObjectDto } from './dto/openai-responses-response.dto';
import { pageOfItems } from './item-pages';
import { ParseResponseIdPipe } from './response-id.pipe';
import { BackgroundResponses } from './responses.background';

const ID_PARAM = {
  name: 'response_id',
  description: 'A response id (`resp_…`) that `POST /v1/responses` answered with',
  example: 'resp_0123456789abcdef0123456789abcdef',
} as const;

/**
 * The stored side of the Responses API: what `store: true` (the default) keeps, per org.
 * Another org's response is a 404, never a 403, so ids cannot be probed.
 */
@ApiTags('responses')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('v1/responses')
export class StoredResponsesController {
  constructor(
    private readonly store: ResponsesStore,
    private readonly background: BackgroundResponses,
  ) {}

  @Get(':response_id')
  @ApiErrorResponses('openai', 400, 401, {
    status: 404,
    description: 'No such response in this org',
  })
  @ApiOperation({
    summary: 'Retrieve a stored response',
    description:
      'The Response object as last answered; a background response shows `queued`, ' +
      '`in_progress`, then `completed`, `failed`, `incomplete` or `cancelled`.',
  })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: ResponseObjectDto })
  async retrieve(
    @CurrentPrincipal() p: Principal,
    @Param('response_id', ParseResponseIdPipe) id: string,
  ): Promise<Record<string, unknown>> {
    return (await this.store.getOrThrow(p.orgId, id)).body;
  }

  @Get(':response_id/input_items')
  @ApiErrorResponses('openai', 400, 401, {
    status: 404,
    description: 'No such response in this org',
  })
  @ApiOperation({
    summary: "A stored response's input items",
    description:
      'The items the request sent as `input` (a string input is one user message), as a ' +
      'cursor page: `order` (`desc` by default), `after` (an item id) and `limit` (1-100, 20).',
  })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: ResponseItemListDto })
  async inputItems(
    @CurrentPrincipal() p: Principal,
    @Param('response_id', ParseResponseIdPipe) id: string,
    @Query() q: ListItemsQueryDto,
  ): Promise<ResponseItemListDto> {
    const record = await this.store.getOrThrow(p.orgId, id);
    return pageOfItems(record.input_items, q);
  }

  @Delete(':response_id')
  @ApiErrorResponses('openai', 400, 401, {
    status: 404,
    description: 'No such response in this org',
  })
  @ApiOperation({ summary: 'Delete a stored response' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: ResponseDeletedDto })
  async delete(
    @CurrentPrincipal() p: Principal,
    @Param('response_id', ParseResponseIdPipe) id: string,
  ): Promise<ResponseDeletedDto> {
    // Nothing deleted is a 404, as OpenAI answers: another org's id (or one already deleted)
    // must not be told apart from a missing one, nor be claimed deleted.
    if (!(await this.store.delete(p.orgId, id))) throw responseNotFound(id);
    return { id, object: 'response', deleted: true };
  }

  @Post(':response_id/cancel')
  @HttpCode(200)
  @ApiErrorResponses(
    'openai',
    { status: 400, description: 'The response was not created with background: true' },
    401,
    { status: 404, description: 'No such response in this org' },
  )
  @ApiOperation({
    summary: 'Cancel a background response',
    description:
      'A `queued` or `in_progress` background response becomes `cancelled` (its upstream call ' +
      'is aborted); a finished one is returned as it is.',
  })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: ResponseObjectDto })
  cancel(
    @CurrentPrincipal() p: Principal,
    @Param('response_id', ParseResponseIdPipe) id: string,
  ): Promise<Record<string, unknown>> {
    return this.background.cancel(p.orgId, id);
  }
}
