import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  IsOpenAiResponseFormat,
  IsPlainObject,
  IsStop,
  IsToolChoice,
} from '../../../../../common/validation/validators';
import { SERVICES, type ResponseFormat, type ToolChoice } from '../../../../providers';
import { registerFastAccept } from '../../../../../common/validation/fast-accept';
import { MAX_MESSAGES, MessageDto } from './message.dto';

export const SERVICE_TIERS = ['auto', 'default', 'flex', 'scale', 'priority'] as const;
export const CACHE_RETENTIONS = ['in_memory', 'in-memory', '24h'] as const;
export const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const;
export const VERBOSITIES = ['low', 'medium', 'high'] as const;
export const MODALITIES = ['text', 'audio'] as const;

/**
 * OpenAI parameters that travel to the provider under their own name, through the parameter
 * policy (the sampling ones and `max_tokens` are mapped separately in the adapter).
 */
export const PASS_THROUGH_PARAMS = [
  'logprobs',
  'top_logprobs',
  'logit_bias',
  'metadata',
  'store',
  'service_tier',
  'prompt_cache_key',
  'prompt_cache_retention',
  'safety_identifier',
  'reasoning_effort',
  'verbosity',
  'modalities',
  'audio',
  'prediction',
  'web_search_options',
] as const;

export class FunctionDefinitionDto {
  @ApiProperty({ example: 'get_weather' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  name!: string;

  @ApiPropertyOptional({ example: 'Current weather for a city' })
  @IsOptional()
  @IsString()
  description?: string;

  @ApiPropertyOptional({
    example: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  })
  @IsOptional()
  @IsPlainObject()
  parameters?: Record<string, unknown>;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  strict?: boolean;
}

export class ToolDefinitionDto {
  @ApiProperty({ enum: ['function'] })
  @IsIn(['function'])
  type!: 'function';

  @ApiProperty({ type: FunctionDefinitionDto })
  @ValidateNested()
  @Type(() => FunctionDefinitionDto)
  function!: FunctionDefinitionDto;
}

export class StreamOptionsDto {
  @ApiPropertyOptional({ description: 'Send a last chunk with usage before [DONE]' })
  @IsOptional()
  @IsBoolean()
  include_usage?: boolean;

  @ApiPropertyOptional({ description: 'Accepted; the gateway does not pad stream chunks' })
  @IsOptional()
  @IsBoolean()
  include_obfuscation?: boolean;
}

/** `POST /v1/chat/completions`: OpenAI's request shape. */
export class OpenAiChatCompletionDto {
  @ApiProperty({
    example: 'openai/gpt-4o-mini',
    description: `\`<service>/<model>\` (${SERVICES.join(', ')}) or \`agent/<agent_id>\``,
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  model!: string;

  @ApiProperty({ type: [MessageDto], maxItems: MAX_MESSAGES })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_MESSAGES)
  @ValidateNested({ each: true })
  @Type(() => MessageDto)
  messages!: MessageDto[];

  @ApiPropertyOptional({ minimum: 0, maximum: 2, example: 0.7, nullable: true })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(2)
  temperature?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1, nullable: true })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  top_p?: number;

  @ApiPropertyOptional({ minimum: 1, example: 256, nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  max_tokens?: number;

  @ApiPropertyOptional({ minimum: 1, description: 'Newer name of max_tokens', nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  max_completion_tokens?: number;

  @ApiPropertyOptional({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    nullable: true,
  })
  @IsOptional()
  @IsStop()
  stop?: string | string[];

  @ApiPropertyOptional({ minimum: -2, maximum: 2, nullable: true })
  @IsOptional()
  @IsNumber()
  @Min(-2)
  @Max(2)
  presence_penalty?: number;

  @ApiPropertyOptional({ minimum: -2, maximum: 2, nullable: true })
  @IsOptional()
  @IsNumber()
  @Min(-2)
  @Max(2)
  frequency_penalty?: number;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsInt()
  seed?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 128,
    description:
      'Choices to generate. More than 1 is served where the target model takes `n` (the catalog ' +
      'lists it: OpenAI chat models, Mistral medium/small): `choices` has indexes 0..n-1, stream ' +
      'chunks carry their choice `index`, and `usage` covers every choice (what is billed). Elsewhere ' +
      'it is dropped and named in `x-gateway-dropped-params` (a 400 in strict mode). Answers with ' +
      'several choices are never cached; an agent with stored tools refuses n > 1 (400, param n).',
    nullable: true,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(128)
  n?: number;

  @ApiPropertyOptional({ default: false, nullable: true })
  @IsOptional()
  @IsBoolean()
  stream?: boolean;

  @ApiPropertyOptional({ type: StreamOptionsDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => StreamOptionsDto)
  stream_options?: StreamOptionsDto;

  @ApiPropertyOptional({ type: [ToolDefinitionDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(128)
  @ValidateNested({ each: true })
  @Type(() => ToolDefinitionDto)
  tools?: ToolDefinitionDto[];

  @ApiPropertyOptional({
    oneOf: [{ type: 'string', enum: ['none', 'auto', 'required'] }, { type: 'object' }],
  })
  @IsOptional()
  @IsToolChoice()
  tool_choice?: ToolChoice;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  parallel_tool_calls?: boolean;

  @ApiPropertyOptional({
    description:
      '`{type:"json_schema",json_schema:{name,schema,strict}}` or `{type:"json_object"}`: the answer is the JSON text as `content` (finish_reason `stop`) on every model — natively where the catalog lists `structured_outputs` / `json_mode`, through a forced tool elsewhere (Claude json_object, models with tools only). 400 naming it for a model with none of structured outputs, JSON mode or tools',
    example: {
      type: 'json_schema',
      json_schema: {
        name: 'answer',
        strict: true,
        schema: {
          type: 'object',
          properties: { answer: { type: 'string' } },
          required: ['answer'],
          additionalProperties: false,
        },
      },
    },
  })
  @IsOptional()
  @IsOpenAiResponseFormat()
  response_format?: ResponseFormat;

  @ApiPropertyOptional({ description: 'End-user id, forwarded where the service accepts one' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  user?: string;

  // The parameters below follow OpenAI's chat API. Each is type-checked here and then goes
  // through the parameter policy: passed to models whose catalog entry lists it, otherwise
  // dropped and named in `x-gateway-dropped-params` (a 400 in strict mode).

  @ApiPropertyOptional({ nullable: true, description: 'Return log probabilities of output tokens' })
  @IsOptional()
  @IsBoolean()
  logprobs?: boolean;

  @ApiPropertyOptional({ minimum: 0, maximum: 20, nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(20)
  top_logprobs?: number;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'number' },
    nullable: true,
    description: 'Token id → bias from -100 to 100',
  })
  @IsOptional()
  @IsPlainObject()
  logit_bias?: Record<string, number>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    nullable: true,
    description: 'Up to 16 string key-value pairs stored with the completion (with `store`)',
  })
  @IsOptional()
  @IsPlainObject()
  metadata?: Record<string, string>;

  @ApiPropertyOptional({
    nullable: true,
    description: "Store the completion in the provider's logs",
  })
  @IsOptional()
  @IsBoolean()
  store?: boolean;

  @ApiPropertyOptional({ enum: SERVICE_TIERS, nullable: true })
  @IsOptional()
  @IsIn(SERVICE_TIERS)
  service_tier?: (typeof SERVICE_TIERS)[number];

  @ApiPropertyOptional({ nullable: true, description: 'Groups requests for prompt caching' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  prompt_cache_key?: string;

  @ApiPropertyOptional({ enum: CACHE_RETENTIONS, nullable: true })
  @IsOptional()
  @IsIn(CACHE_RETENTIONS)
  prompt_cache_retention?: (typeof CACHE_RETENTIONS)[number];

  @ApiPropertyOptional({
    nullable: true,
    description: 'Stable hashed end-user id for abuse detection',
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  safety_identifier?: string;

  @ApiPropertyOptional({ enum: REASONING_EFFORTS, nullable: true })
  @IsOptional()
  @IsIn(REASONING_EFFORTS)
  reasoning_effort?: (typeof REASONING_EFFORTS)[number];

  @ApiPropertyOptional({ enum: VERBOSITIES, nullable: true })
  @IsOptional()
  @IsIn(VERBOSITIES)
  verbosity?: (typeof VERBOSITIES)[number];

  @ApiPropertyOptional({ type: [String], enum: MODALITIES, nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(2)
  @IsIn(MODALITIES, { each: true })
  modalities?: Array<(typeof MODALITIES)[number]>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'Audio output options',
  })
  @IsOptional()
  @IsPlainObject()
  audio?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'Predicted output',
  })
  @IsOptional()
  @IsPlainObject()
  prediction?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'Web search options',
  })
  @IsOptional()
  @IsPlainObject()
  web_search_options?: Record<string, unknown>;
}

// Hot route: bodies the decorators above certainly accept skip class-validator (fast-accept.ts).
registerFastAccept(OpenAiChatCompletionDto);
