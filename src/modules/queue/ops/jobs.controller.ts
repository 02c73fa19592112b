import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../../../common/auth/principal';
import { CurrentPrincipal } from '../../../common/decorators';
import { AppException, ErrorCode } from '../../../common/errors';
import { ApiEnvelope, ok, type Ok } from '../../../common/http/envelope';
import { ParseIdPipe } from '../../../common/pipes/parse-id.pipe';
import { JOB_ID_PREFIX } from '../jobs/job.types';
import { JobQueue } from '../runtime/job-queue.service';
import { JobResponse, toJobResponse } from './dto/job.response';
import { ApiErrorResponses } from '../../../common/swagger';

export const JobId = new ParseIdPipe(JOB_ID_PREFIX, 'job_id');

@ApiTags('completions')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/v2/model/jobs')
export class JobsController {
  constructor(private readonly queue: JobQueue) {}

  @Get(':job_id')
  @ApiErrorResponses('gateway', { status: 400, description: 'A malformed job id' }, 401, {
    status: 404,
    description: 'No job with this id in this org',
  })
  @ApiOperation({
    summary: 'Read an async job',
    description:
      'State of a job submitted with `response_format.type = "webhook"`: status (queued, running, ' +
      'completed, failed, dead), runs so far, and the result or error. Jobs of other orgs are 404.',
  })
  @ApiEnvelope(JobResponse)
  async get(
    @CurrentPrincipal() p: Principal,
    @Param('job_id', JobId) id: string,
  ): Promise<Ok<JobResponse>> {
    const job = await this.queue.get(p.orgId, id);
    if (!job) throw new AppException(ErrorCode.NOT_FOUND, `Job ${id} not found`);
    return ok(toJobResponse(job));
  }
}
