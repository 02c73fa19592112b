import { Controller, Get, Res } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../common/decorators';
import { HealthRegistry } from '../../infra/health/health-registry';
import { ComponentStatus } from '../../infra/health/component-status';
import { DependencyStatusDto, LivenessDto, ReadinessDto } from './health.dto';
import { LifecycleState } from './lifecycle.state';

/** A check slower than this counts as down: readiness must answer quickly to be useful. */
const CHECK_TIMEOUT_MS = 2000;

@ApiTags('operations')
@ApiExtraModels(DependencyStatusDto)
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly registry: HealthRegistry,
    private readonly lifecycle: LifecycleState,
    private readonly components: ComponentStatus,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process is up and serving HTTP' })
  @ApiOkResponse({ type: LivenessDto })
  live(): LivenessDto {
    return { status: 'ok', uptime_s: Math.round(process.uptime() * 10) / 10 };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: every configured dependency answers (503 when a required one is down)',
  })
  @ApiOkResponse({ type: ReadinessDto })
  @ApiServiceUnavailableResponse({ type: ReadinessDto })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessDto> {
    const entries = await Promise.all(
      this.registry.all().map(async (dep): Promise<[string, DependencyStatusDto]> => {
        const started = performance.now();
        try {
          await withTimeout(dep.check(), CHECK_TIMEOUT_MS);
          return [dep.name, { status: 'up', required: dep.required, latency_ms: elapsed(started) }];
        } catch (e) {
          const error = e instanceof Error ? e.message : String(e);
          return [
            dep.name,
            { status: 'down', required: dep.required, latency_ms: elapsed(started), error },
          ];
        }
      }),
    );
    const dependencies = Object.fromEntries(entries);
    const failing = entries.some(([, d]) => d.required && d.status === 'down');
    const status = this.lifecycle.draining ? 'draining' : failing ? 'error' : 'ok';
    if (status !== 'ok') void reply.status(503);
    return { status, dependencies, components: this.components.snapshot() };
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
