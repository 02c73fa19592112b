import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Principal } from '../../../../common/auth/principal';
import { CurrentPrincipal, Scopes } from '../../../../common/decorators';
import { AppException, ErrorCode } from '../../../../common/errors';
import { ApiErrorResponses } from '../../../../common/swagger';
import { ParseThreadIdPipe } from '../../../conversations';
import { ConversationStore, type StoredConversation } from '../../../responses';
import {
  AddConversationItemsDto,
  ConversationDeletedDto,
  ConversationDto,
  CreateConversationDto,
  UpdateConversationDto,
} from './dto/conversations.dto';
import { ListItemsQueryDto, ResponseItemListDto } from './dto/responses-lists.dto';
import { itemList, type ItemPage } from './item-pages';
import { asItems, messageIdOf } from './conversation-items';
import { inputToMessages, type ConversationItem } from './responses.items';

const ID_PARAM = {
  name: 'conversation_id',
  description:
    'A conversation id (`conv_…`), or the id of any agent-API thread: they are the same thing',
  example: 'thread-42',
} as const;

/** Conversation ids are thread ids. */
const CONVERSATION_ID = new ParseThreadIdPipe('conversation_id');

const NOT_FOUND = { status: 404, description: 'No such conversation (or thread) in this org' };

/**
 * OpenAI's Conversations API on the gateway's threads: a conversation's items are the messages
 * of the thread with its id, so `GET /api/v1/threads/{id}/messages` and
 * `GET /v1/conversations/{id}/items` show one history, and a thread the agent API wrote is a
 * conversation too. The conversation's own record holds its metadata.
 */
@ApiTags('conversations')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('v1/conversations')
export class ConversationsController {
  constructor(private readonly conversations: ConversationStore) {}

  @Post()
  @HttpCode(200)
  @ApiErrorResponses('openai', 400, 401)
  @ApiOperation({
    summary: 'Create a conversation',
    description: 'Optionally with up to 20 first items and metadata. Its id works as a thread id.',
  })
  @ApiBody({
    type: CreateConversationDto,
    examples: {
      with_items: {
        summary: 'A conversation with a first message and metadata',
        value: {
          metadata: { topic: 'demo' },
          items: [{ type: 'message', role: 'user', content: 'Hello!' }],
        },
      },
    },
  })
  @ApiOkResponse({ type: ConversationDto })
  async create(
    @CurrentPrincipal() p: Principal,
    @Body() body: CreateConversationDto,
  ): Promise<ConversationDto> {
    const items = body.items ?? [];
    const created = await this.conversations.create(p.orgId, {
      metadata: body.metadata ?? {},
      items: items.length > 0 ? inputToMessages(items, 'items') : [],
    });
    return wire(created);
  }

  @Get(':conversation_id')
  @ApiErrorResponses('openai', 400, 401, NOT_FOUND)
  @ApiOperation({ summary: 'Retrieve a conversation' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: ConversationDto })
  async retrieve(
    @CurrentPrincipal() p: Principal,
    @Param('conversation_id', CONVERSATION_ID) id: string,
  ): Promise<ConversationDto> {
    return wire(await this.conversations.getOrThrow(p.orgId, id));
  }

  @Post(':conversation_id')
  @HttpCode(200)
  @ApiErrorResponses('openai', 400, 401, NOT_FOUND)
  @ApiOperation({ summary: "Replace a conversation's metadata" })
  @ApiParam(ID_PARAM)
  @ApiBody({
    type: UpdateConversationDto,
    examples: { rename: { summary: 'New metadata', value: { metadata: { topic: 'renamed' } } } },
  })
  @ApiOkResponse({ type: ConversationDto })
  async update(
    @CurrentPrincipal() p: Principal,
    @Param('conversation_id', CONVERSATION_ID) id: string,
    @Body() body: UpdateConversationDto,
  ): Promise<ConversationDto> {
    return wire(await this.conversations.updateMetadata(p.orgId, id, body.metadata ?? {}));
  }

  @Delete(':conversation_id')
  @ApiErrorResponses('openai', 400, 401, 403, NOT_FOUND)
  // A conversation is a thread: deleting it deletes the thread, which DELETE
  // /api/v1/threads/{id} allows only to `admin`. Without the same scope here, that route's
  // guard could be bypassed through this one.
  @Scopes('admin')
  @ApiOperation({
    summary: 'Delete a conversation',
    description:
      'Its record and its thread (every message); stored responses stay. Needs the `admin` ' +
      'scope, as deleting the thread through `DELETE /api/v1/threads/{id}` does.',
  })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: ConversationDeletedDto })
  async delete(
    @CurrentPrincipal() p: Principal,
    @Param('conversation_id', CONVERSATION_ID) id: string,
  ): Promise<ConversationDeletedDto> {
    await this.conversations.delete(p.orgId, id);
    return { id, object: 'conversation.deleted', deleted: true };
  }

  @Get(':conversation_id/items')
  @ApiErrorResponses('openai', 400, 401, NOT_FOUND)
  @ApiOperation({
    summary: "A conversation's items",
    description:
      'The thread as Responses items, a cursor page: `order` (`desc` by default), `after` ' +
      '(an item id) and `limit` (1-100, 20).',
  })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: ResponseItemListDto })
  async listItems(
    @CurrentPrincipal() p: Principal,
    @Param('conversation_id', CONVERSATION_ID) id: string,
    @Query() q: ListItemsQueryDto,
  ): Promise<ItemPage<ConversationItem>> {
    const page = await this.conversations.listItems(p.orgId, id, {
      limit: q.limit,
      order: q.order,
      after: q.after === undefined ? undefined : messageIdOf(q.after),
    });
    return itemList(asItems(page.items), page.has_more);
  }

  @Post(':conversation_id/items')
  @HttpCode(200)
  @ApiErrorResponses('openai', 400, 401, NOT_FOUND)
  @ApiOperation({
    summary: 'Add items to a conversation',
    description: 'Up to 20 input items, stored together (all or none) at the end of the thread.',
  })
  @ApiParam(ID_PARAM)
  @ApiBody({
    type: AddConversationItemsDto,
    examples: {
      turn: {
        summary: 'A user message and an assistant answer',
        value: {
          items: [
            { type: 'message', role: 'user', content: 'What is the capital of France?' },
            { type: 'message', role: 'assistant', content: 'Paris.' },
          ],
        },
      },
    },
  })
  @ApiOkResponse({ type: ResponseItemListDto })
  async addItems(
    @CurrentPrincipal() p: Principal,
    @Param('conversation_id', CONVERSATION_ID) id: string,
    @Body() body: AddConversationItemsDto,
  ): Promise<ItemPage<ConversationItem>> {
    const stored = await this.conversations.appendItems(
      p.orgId,
      id,
      inputToMessages(body.items, 'items'),
    );
    return itemList(asItems(stored), false);
  }

  @Get(':conversation_id/items/:item_id')
  @ApiErrorResponses('openai', 400, 401, NOT_FOUND)
  @ApiOperation({ summary: 'Retrieve one item of a conversation' })
  @ApiParam(ID_PARAM)
  @ApiParam({ name: 'item_id', description: 'An item id from the item list' })
  @ApiOkResponse({
    description: 'A `message`, `function_call` or `function_call_output` item',
    schema: { type: 'object', additionalProperties: true },
  })
  async item(
    @CurrentPrincipal() p: Principal,
    @Param('conversation_id', CONVERSATION_ID) id: string,
    @Param('item_id') itemId: string,
  ): Promise<ConversationItem> {
    const message = await this.conversations.getItem(p.orgId, id, messageIdOf(itemId));
    const found = asItems([message]).find((i) => i.id === itemId);
    if (!found) {
      throw new AppException(ErrorCode.NOT_FOUND, `Item ${itemId} not found in ${id}`, {
        param: 'item_id',
      });
    }
    return found;
  }
}

function wire(c: StoredConversation): ConversationDto {
  return {
    id: c.id,
    object: 'conversation',
    created_at: Math.floor(c.created_at.getTime() / 1000),
    metadata: c.metadata,
  };
}
