import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, isISO8601, registerDecorator } from 'class-validator';
import { ACCEPTED_INTERVALS, MAX_BUCKETS } from './usage-intervals';
import { USAGE_GROUPS, type UsageGroupBy } from './usage-query.sql';

/** A date (UTC midnight) or a date-time WITH a zone: a zone-less time would be read as server-local. */
const ZONED = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?))?$/i;

function IsZonedTimestamp() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isZonedTimestamp',
      target: object.constructor,
      propertyName,
      options: {
        message: `${propertyName} must be an ISO 8601 date or date-time with a zone (e.g. 2025-01-31T12:00:00Z)`,
      },
      validator: {
        validate: (v: unknown) =>
          typeof v === 'string' && ZONED.test(v) && isISO8601(v, { strict: true }),
      },
    });
}

/** `GET /api/v1/metrics/usage` query string. */
export class UsageQueryDto {
  @ApiPropertyOptional({
    description:
      'Start of the range, inclusive (ISO 8601 with a zone; percent-encode a `+` offset as `%2B`). Default: `to` minus 24 h.',
    example: '2025-01-31T00:00:00Z',
  })
  @IsOptional()
  @IsString()
  @IsZonedTimestamp()
  from?: string;

  @ApiPropertyOptional({
    description: 'End of the range, exclusive (ISO 8601 with a zone). Default: now.',
    example: '2025-02-01T00:00:00Z',
  })
  @IsOptional()
  @IsString()
  @IsZonedTimestamp()
  to?: string;

  @ApiPropertyOptional({
    description: `Bucket width (short forms 1m, 5m, 15m, 30m, 1h, 6h, 12h, 1d accepted). At most ${MAX_BUCKETS} buckets per query.`,
    enum: ACCEPTED_INTERVALS.filter((i) => i.includes(' ')),
    default: '1 hour',
  })
  @IsOptional()
  @IsString()
  @IsIn(ACCEPTED_INTERVALS, {
    message: `interval must be one of: ${ACCEPTED_INTERVALS.join(', ')}`,
  })
  interval?: string;

  @ApiPropertyOptional({
    description:
      'Split each bucket by this key; omitted: one total per bucket. `model` groups are `service/model`.',
    enum: USAGE_GROUPS,
  })
  @IsOptional()
  @IsIn(USAGE_GROUPS, { message: `group_by must be one of: ${USAGE_GROUPS.join(', ')}` })
  group_by?: UsageGroupBy;
}

export class UsageBucketDto {
  @ApiProperty({ example: '2025-01-31T10:00:00.000Z', description: 'Bucket start (UTC)' })
  bucket_start!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'openai/gpt-4o-mini',
    description:
      'Value of the group_by key; null without group_by or when the key is unset (e.g. no agent)',
  })
  group!: string | null;

  @ApiProperty({ example: 42 })
  requests!: number;

  @ApiProperty({ example: 1, description: 'Requests with status "error"' })
  errors!: number;

  @ApiProperty({ example: 0.0238, description: 'errors / requests' })
  error_rate!: number;

  @ApiProperty({ example: 5, description: 'Requests answered from the response cache' })
  cached!: number;

  @ApiProperty({ example: 12000 })
  input_tokens!: number;

  @ApiProperty({ example: 3400 })
  output_tokens!: number;

  @ApiProperty({ example: 15400 })
  total_tokens!: number;

  @ApiProperty({ example: 2000 })
  cached_tokens!: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0.0153,
    description:
      'Sum of known costs in USD (each priced from its price sheet, to 1e-10); null when no request in the bucket had a known price',
  })
  cost_usd!: number | null;

  @ApiProperty({ example: 640, description: 'Median latency (percentile_cont)' })
  latency_p50_ms!: number;

  @ApiProperty({ example: 1830, description: '95th percentile latency (percentile_cont)' })
  latency_p95_ms!: number;
}

export class UsageReportDto {
  @ApiProperty({ example: '2025-01-31T00:00:00.000Z' })
  from!: string;

  @ApiProperty({ example: '2025-02-01T00:00:00.000Z' })
  to!: string;

  @ApiProperty({ example: '1 hour' })
  interval!: string;

  @ApiProperty({ enum: USAGE_GROUPS, nullable: true, example: 'model' })
  group_by!: UsageGroupBy | null;

  @ApiProperty({
    type: [UsageBucketDto],
    description:
      'Non-empty buckets only, ordered by bucket_start then group. Buckets are aligned to UTC midnight, so the first may start before `from` (it only counts rows from `from` on).',
  })
  buckets!: UsageBucketDto[];
}

export class UsageReportResponseDto {
  @ApiProperty({ example: true })
  success!: true;

  @ApiProperty({ type: UsageReportDto })
  data!: UsageReportDto;
}
