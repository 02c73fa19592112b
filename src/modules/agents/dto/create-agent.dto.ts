import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsConfiguration } from '../../../common/validation/validators';
import { SERVICES, type ServiceName } from '../../providers';
import { DEFAULT_MAX_TOOL_ITERATIONS, MAX_PROMPT_CHARS } from '../agent.types';

const TOOL_ID = /^tool_[A-Za-z0-9_-]{8,64}$/;
const PER_MINUTE_MAX = 1_000_000;

export class AgentFallbackDto {
  @ApiProperty({ enum: SERVICES, example: 'anthropic' })
  @IsIn(SERVICES)
  service!: ServiceName;

  @ApiProperty({ example: 'claude-sonnet-4-5' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  model!: string;
}

export class AgentRateLimitDto {
  @ApiPropertyOptional({ example: 30, description: 'Requests per minute per user for this agent' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(PER_MINUTE_MAX)
  per_minute?: number;

  @ApiPropertyOptional({ example: 10, description: 'Requests per minute per thread' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(PER_MINUTE_MAX)
  per_thread_per_minute?: number;
}

/** `POST /api/v1/agents`. */
export class CreateAgentDto {
  @ApiProperty({ example: 'support-bot', description: 'Unique in the org' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  @Matches(/\S/, { message: 'name must not be blank' })
  name!: string;

  @ApiProperty({ enum: SERVICES, example: 'openai' })
  @IsIn(SERVICES, { message: `service must be one of: ${SERVICES.join(', ')}` })
  service!: ServiceName;

  @ApiProperty({ example: 'gpt-4o-mini' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  model!: string;

  @ApiPropertyOptional({
    example: 'You are a helpful support agent for {{company}}.',
    description: `System prompt with {{variables}}; at most ${MAX_PROMPT_CHARS} characters`,
    maxLength: MAX_PROMPT_CHARS,
    default: '',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_PROMPT_CHARS, {
    message: `prompt is too long: at most ${MAX_PROMPT_CHARS} characters are allowed`,
  })
  prompt?: string;

  @ApiPropertyOptional({
    example: { temperature: 0.2, max_tokens: 512 },
    description: 'Model parameters, checked against the model catalog at call time',
  })
  @IsOptional()
  @IsConfiguration()
  configuration?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: [String],
    example: ['tool_3q2JXhN0v8S2aLr1m9BzQw'],
    description: 'Tools of this org the agent may call',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @ArrayUnique()
  @Matches(TOOL_ID, { each: true, message: 'each tool_ids entry must look like tool_<id>' })
  tool_ids?: string[];

  @ApiPropertyOptional({
    type: [AgentFallbackDto],
    description: 'Tried in order when the primary service/model fails',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(5)
  @ValidateNested({ each: true })
  @Type(() => AgentFallbackDto)
  fallbacks?: AgentFallbackDto[];

  @ApiPropertyOptional({
    example: 300,
    nullable: true,
    description: 'Response cache TTL in seconds (0 disables; null = deployment default)',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(30 * 24 * 3600)
  cache_ttl?: number | null;

  @ApiPropertyOptional({ type: AgentRateLimitDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => AgentRateLimitDto)
  rate_limit?: AgentRateLimitDto | null;

  @ApiPropertyOptional({
    example: DEFAULT_MAX_TOOL_ITERATIONS,
    default: DEFAULT_MAX_TOOL_ITERATIONS,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(50)
  max_tool_iterations?: number;
}
