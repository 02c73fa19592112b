import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../../../common/auth/principal';
import { CurrentPrincipal, Scopes } from '../../../common/decorators';
import { ApiEnvelope, ok, okPage, type Ok, type OkPage } from '../../../common/http/envelope';
import { JobResponse, toJobResponse } from './dto/job.response';
import { JobId } from './jobs.controller';
import { JobQueue } from '../runtime/job-queue.service';
import { DeadLettersQueryDto } from './dto/dead-letters.query';
import { ApiErrorResponses } from '../../../common/swagger';

/**
 * Dead-lettered jobs of the caller's org, from the job store (the broker's dead-letter queues
 * hold the same messages, plus poison messages that never were jobs; see /metrics).
 */
@ApiTags('queue')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/v1/queue/dead-letters')
export class DeadLettersController {
  constructor(private readonly queue: JobQueue) {}

  @Get()
  @ApiErrorResponses('gateway', { status: 400, description: 'A bad limit or cursor' }, 401, 403)
  @Scopes('admin')
  @ApiOperation({ summary: "List the org's dead-lettered jobs (oldest first)" })
  @ApiEnvelope(JobResponse, { list: true })
  async list(
    @CurrentPrincipal() p: Principal,
    @Query() q: DeadLettersQueryDto,
  ): Promise<OkPage<JobResponse>> {
    const page = await this.queue.listDead(p.orgId, q.type, q);
    return okPage({ items: page.items.map(toJobResponse), next_cursor: page.next_cursor });
  }

  @Post(':job_id/requeue')
  @ApiErrorResponses(
    'gateway',
    { status: 400, description: 'A malformed job id' },
    401,
    403,
    { status: 404, description: 'No job with this id in this org' },
    { status: 409, description: 'The job is not dead' },
  )
  @Scopes('admin')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Run a dead-lettered job again',
    description:
      'Resets its attempts and queues it. A saved answer is kept, so a completion whose webhook ' +
      'failed is delivered again without calling the provider. 409 when the job is not dead.',
  })
  @ApiEnvelope(JobResponse, { status: 202 })
  async requeue(
    @CurrentPrincipal() p: Principal,
    @Param('job_id', JobId) id: string,
  ): Promise<Ok<JobResponse>> {
    return ok(toJobResponse(await this.queue.requeue(p.orgId, id)));
  }
}
