import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../../../common/auth/principal';
import { CurrentPrincipal, Scopes } from '../../../common/decorators';
import { ApiEnvelope, okPage, type OkPage } from '../../../common/http/envelope';
import type { CallLog } from './call-log.types';
import { CallLogsService } from './call-logs.service';
import { CallLogResponse } from './dto/call-log.response';
import { ListCallLogsQueryDto } from './dto/list-call-logs.query';
import { ApiErrorResponses } from '../../../common/swagger';

@ApiTags('call-logs')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/v1/call-logs')
export class CallLogsController {
  constructor(private readonly logs: CallLogsService) {}

  @Get()
  @ApiErrorResponses(
    'gateway',
    { status: 400, description: 'A bad limit, cursor or filter' },
    401,
    403,
  )
  @Scopes('admin')
  @ApiOperation({
    summary: "The org's completion calls, newest first",
    description: 'Request summaries only: prompts and answers are never logged here.',
  })
  @ApiEnvelope(CallLogResponse, { list: true })
  async list(
    @CurrentPrincipal() p: Principal,
    @Query() q: ListCallLogsQueryDto,
  ): Promise<OkPage<CallLog>> {
    const { agent_id, thread_id, limit, cursor } = q;
    return okPage(await this.logs.list(p.orgId, { agent_id, thread_id }, { limit, cursor }));
  }
}
