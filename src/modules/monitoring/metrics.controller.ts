import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public } from '../../common/decorators';
import { metricsRegistry } from '../../common/metrics/prom';

@ApiTags('operations')
@Public()
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('content-type', metricsRegistry.contentType)
  @ApiOperation({ summary: 'Prometheus metrics (HTTP, providers, queue, buffers, process)' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format', schema: { type: 'string' } })
  async metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
