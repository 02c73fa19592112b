import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../../../common/auth/principal';
import { CurrentPrincipal } from '../../../common/decorators';
import { AppException, ErrorCode } from '../../../common/errors';
import { UsageQueryDto, UsageReportResponseDto } from './usage-query.dto';
import { UsageQueryService } from './usage-query.service';
import { ApiErrorResponses } from '../../../common/swagger';

@ApiTags('metrics')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/v1/metrics')
export class MetricsUsageController {
  constructor(private readonly usage: UsageQueryService) {}

  @Get('usage')
  @ApiErrorResponses(
    'gateway',
    {
      status: 400,
      description:
        'A bad parameter (named in error.details[].field): not ISO 8601, from not before to, unknown interval or group_by, too many buckets',
    },
    401,
  )
  @ApiOperation({
    summary: "Usage of the caller's org over time",
    description:
      'Per time bucket (and per group): requests, tokens, cost, error rate, cache hits and latency p50/p95 of provider calls. ' +
      "Only the caller's org is visible. Defaults: the last 24 hours, hourly buckets, no grouping.",
  })
  @ApiOkResponse({ type: UsageReportResponseDto })
  async usageReport(
    @CurrentPrincipal() principal: Principal | undefined,
    @Query() query: UsageQueryDto,
  ): Promise<UsageReportResponseDto> {
    // The global guard guarantees a principal here; this only keeps the type honest.
    if (!principal) throw new AppException(ErrorCode.UNAUTHENTICATED, 'Missing credentials');
    return { success: true, data: await this.usage.report(principal.orgId, query) };
  }
}
