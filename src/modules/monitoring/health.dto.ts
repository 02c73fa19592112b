import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class DependencyStatusDto {
  @ApiProperty({ enum: ['up', 'down'] })
  status!: 'up' | 'down';
  @ApiProperty({ description: 'Whether readiness fails while it is down' })
  required!: boolean;
  @ApiProperty({ example: 3 })
  latency_ms!: number;
  @ApiPropertyOptional({ example: 'connect ECONNREFUSED 127.0.0.1:6379' })
  error?: string;
}

export class LivenessDto {
  @ApiProperty({ enum: ['ok'] })
  status!: 'ok';
  @ApiProperty({ example: 12.5, description: 'Seconds since the process started' })
  uptime_s!: number;
}

export class ReadinessDto {
  @ApiProperty({ enum: ['ok', 'error', 'draining'] })
  status!: 'ok' | 'error' | 'draining';
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/DependencyStatusDto' },
    example: { 'postgres (embedded)': { status: 'up', required: true, latency_ms: 2 } },
  })
  dependencies!: Record<string, DependencyStatusDto>;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      "The gateway's own components (never failing readiness), e.g. how stored-config changes are watched",
    example: {
      'config-watcher': {
        healthy: true,
        mode: 'polling',
        last_event_at: '2025-01-01T10:00:00.000Z',
        events: 12,
        relay: 'redis',
        relay_connected: true,
      },
    },
  })
  components!: Record<string, Record<string, unknown>>;
}
