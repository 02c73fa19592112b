import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../../common/decorators';
import { metricsRegistry } from '../../common/metrics/prom';
import { MetricsTokenGuard } from './metrics-token.guard';
import { ApiErrorResponses } from '../../common/swagger';

@ApiTags('operations')
@Public()
@UseGuards(MetricsTokenGuard)
@Controller('metrics')
export class MetricsController {
  @Get()
  @ApiErrorResponses('gateway', {
    status: 401,
    description: 'METRICS_TOKEN is set and was not sent',
  })
  @Header('content-type', metricsRegistry.contentType)
  @ApiOperation({
    summary: 'Prometheus metrics (HTTP, providers, queue, buffers, process)',
    description:
      'No tenant data in any label. Public unless METRICS_TOKEN is set; then send it as a bearer token.',
  })
  @ApiBearerAuth()
  // The 200 is text; the 401 is the gateway's JSON envelope (so no @ApiProduces for both).
  @ApiOkResponse({
    description: 'Prometheus text exposition format',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  async metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
