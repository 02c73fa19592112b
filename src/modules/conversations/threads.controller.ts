import { Controller, Delete, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../../common/auth/principal';
import { CurrentPrincipal, Scopes } from '../../common/decorators';
import { ApiEnvelope, ok, okPage, type Ok, type OkPage } from '../../common/http/envelope';
import type { ConversationMessage } from './conversation.types';
import { ConversationsService } from './conversations.service';
import { ListMessagesQueryDto } from './dto/list-messages.query';
import { MessageResponse, ThreadDeletedResponse } from './dto/message.response';
import { ParseThreadIdPipe } from './dto/thread-id';
import { ApiErrorResponses } from '../../common/swagger';

@ApiTags('threads')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/v1/threads')
export class ThreadsController {
  constructor(private readonly conversations: ConversationsService) {}

  @Get(':thread_id/messages')
  @ApiErrorResponses(
    'gateway',
    { status: 400, description: 'A malformed thread id, limit or cursor' },
    401,
    { status: 404, description: 'No such thread (or sub-thread) in this org' },
  )
  @ApiOperation({
    summary: "A thread's messages, in conversation order",
    description:
      'Paginated with `limit` and `cursor` (from `next_cursor`). 404 for an unknown thread.',
  })
  @ApiParam({ name: 'thread_id', example: 'thread-42' })
  @ApiEnvelope(MessageResponse, { list: true })
  async messages(
    @CurrentPrincipal() p: Principal,
    @Param('thread_id', new ParseThreadIdPipe()) threadId: string,
    @Query() q: ListMessagesQueryDto,
  ): Promise<OkPage<ConversationMessage>> {
    return okPage(
      await this.conversations.listMessages(p.orgId, threadId, q.sub_thread_id, {
        limit: q.limit,
        cursor: q.cursor,
      }),
    );
  }

  @Delete(':thread_id')
  @ApiErrorResponses('gateway', { status: 400, description: 'A malformed thread id' }, 401, 403, {
    status: 404,
    description: 'No such thread in this org',
  })
  @Scopes('admin')
  @ApiOperation({ summary: 'Delete a thread and all its sub-threads' })
  @ApiParam({ name: 'thread_id', example: 'thread-42' })
  @ApiEnvelope(ThreadDeletedResponse)
  async delete(
    @CurrentPrincipal() p: Principal,
    @Param('thread_id', new ParseThreadIdPipe()) threadId: string,
  ): Promise<Ok<ThreadDeletedResponse>> {
    const count = await this.conversations.deleteThread(p.orgId, threadId);
    return ok({ thread_id: threadId, deleted_messages: count });
  }
}
