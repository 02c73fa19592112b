import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, ValidateNested } from 'class-validator';
import {
  IsOpenAiResponseFormat,
  IsStop,
  IsToolChoice,
} from '../../../../../common/validation/validators';
import { SERVICES, type ResponseFormat, type ToolChoice } from '../../../../providers';
import { registerFastAccept } from '../../../../../common/validation/fast-accept';
import { MAX_MESSAGES, MessageDto } from './message.dto';
import * as Field from '../../shared/dto-fields';

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
  @Field.NonEmptyStringUpTo(64, { example: 'get_weather' })
  name!: string;

  @Field.OptionalString({ example: 'Current weather for a city' })
  description?: string;

  @Field.OptionalPlainObject({
    example: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  })
  parameters?: Record<string, unknown>;

  @Field.OptionalBoolean()
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
  @Field.OptionalBoolean({ description: 'Send a last chunk with usage before [DONE]' })
  include_usage?: boolean;

  @Field.OptionalBoolean({ description: 'Accepted; the gateway does not pad stream chunks' })
  include_obfuscation?: boolean;
}

/** `POST /v1/chat/completions`: OpenAI's request shape. */
export class OpenAiChatCompletionDto {
  @Field.NonEmptyStringUpTo(256, {
    example: 'openai/gpt-4o-mini',
    description: `\`<service>/<model>\` (${SERVICES.join(', ')}) or \`agent/<agent_id>\``,
  })
  model!: string;

  @Field.NestedList(MessageDto, MAX_MESSAGES)
  messages!: MessageDto[];

  @Field.OptionalNumberIn(0, 2, { example: 0.7, nullable: true })
  temperature?: number;

  @Field.OptionalNumberIn(0, 1, { nullable: true })
  top_p?: number;

  @Field.OptionalIntFrom(1, { example: 256, nullable: true })
  max_tokens?: number;

  @Field.OptionalIntFrom(1, { description: 'Newer name of max_tokens', nullable: true })
  max_completion_tokens?: number;

  @ApiPropertyOptional({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    nullable: true,
  })
  @IsOptional()
  @IsStop()
  stop?: string | string[];

  @Field.OptionalNumberIn(-2, 2, { nullable: true })
  presence_penalty?: number;

  @Field.OptionalNumberIn(-2, 2, { nullable: true })
  frequency_penalty?: number;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsInt()
  seed?: number;

  @Field.OptionalIntIn(1, 128, {
    description:
      'Choices to generate. More than 1 is served where the target model takes `n` (the catalog ' +
      'lists it: OpenAI chat models, Mistral medium/small): `choices` has indexes 0..n-1, stream ' +
      'chunks carry their choice `index`, and `usage` covers every choice (what is billed). Elsewhere ' +
      'it is dropped and named in `x-gateway-dropped-params` (a 400 in strict mode). Answers with ' +
      'several choices are never cached; an agent with stored tools refuses n > 1 (400, param n).',
    nullable: true,
  })
  n?: number;

  @Field.OptionalBoolean({ default: false, nullable: true })
  stream?: boolean;

  @Field.OptionalNested(StreamOptionsDto, { nullable: true })
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

  @Field.OptionalBoolean()
  parallel_tool_calls?: boolean;

  @ApiPropertyOptional({
    description:
      '`{type:"json_schema",json_schema:{name,schema,strict}}` or `{type:"json_object"}`: the answer is the JSON text as `content` (finish_reason `stop`) on every model — natively where the catalog lists `structured_outputs` / `json_mode`, through a forced tool elsewhere (Claude json_object, models with tools only). 400 naming it for a model with none of structured outputs, JSON mode or tools',
    example: {
      type: 'json_schema',
      json_schema: {
        name: 'answer',
        strict: true,
        schema: Field.ANSWER_SCHEMA_EXAMPLE,
      },
    },
  })
  @IsOptional()
  @IsOpenAiResponseFormat()
  response_format?: ResponseFormat;

  @Field.OptionalStringUpTo(256, {
    description: 'End-user id, forwarded where the service accepts one',
  })
  user?: string;

  // The parameters below follow OpenAI's chat API. Each is type-checked here and then goes
  // through the parameter policy: passed to models whose catalog entry lists it, otherwise
  // dropped and named in `x-gateway-dropped-params` (a 400 in strict mode).

  @Field.OptionalBoolean({
    nullable: true,
    description: 'Return log probabilities of output tokens',
  })
  logprobs?: boolean;

  @Field.OptionalIntIn(0, 20, { nullable: true })
  top_logprobs?: number;

  @Field.OptionalPlainObject({
    type: 'object',
    additionalProperties: { type: 'number' },
    nullable: true,
    description: 'Token id → bias from -100 to 100',
  })
  logit_bias?: Record<string, number>;

  @Field.OptionalPlainObject({
    type: 'object',
    additionalProperties: { type: 'string' },
    nullable: true,
    description: 'Up to 16 string key-value pairs stored with the completion (with `store`)',
  })
  metadata?: Record<string, string>;

  @Field.OptionalBoolean({
    nullable: true,
    description: "Store the completion in the provider's logs",
  })
  store?: boolean;

  @Field.OptionalOneOf(SERVICE_TIERS, { nullable: true })
  service_tier?: (typeof SERVICE_TIERS)[number];

  @Field.OptionalStringUpTo(1024, {
    nullable: true,
    description: 'Groups requests for prompt caching',
  })
  prompt_cache_key?: string;

  @Field.OptionalOneOf(CACHE_RETENTIONS, { nullable: true })
  prompt_cache_retention?: (typeof CACHE_RETENTIONS)[number];

  @Field.OptionalStringUpTo(256, {
    nullable: true,
    description: 'Stable hashed end-user id for abuse detection',
  })
  safety_identifier?: string;

  @Field.OptionalOneOf(REASONING_EFFORTS, { nullable: true })
  reasoning_effort?: (typeof REASONING_EFFORTS)[number];

  @Field.OptionalOneOf(VERBOSITIES, { nullable: true })
  verbosity?: (typeof VERBOSITIES)[number];

  @ApiPropertyOptional({ type: [String], enum: MODALITIES, nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(2)
  @IsIn(MODALITIES, { each: true })
  modalities?: Array<(typeof MODALITIES)[number]>;

  @Field.OptionalPlainObject({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'Audio output options',
  })
  audio?: Record<string, unknown>;

  @Field.OptionalPlainObject({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'Predicted output',
  })
  prediction?: Record<string, unknown>;

  @Field.OptionalPlainObject({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'Web search options',
  })
  web_search_options?: Record<string, unknown>;
}

// Hot route: bodies the decorators above certainly accept skip class-validator (fast-accept.ts).
registerFastAccept(OpenAiChatCompletionDto);
