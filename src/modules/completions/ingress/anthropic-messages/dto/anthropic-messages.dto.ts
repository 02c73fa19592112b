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
  ValidateBy,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { IsPlainObject } from '../../../../../common/validation/validators';
import { SERVICES } from '../../../../providers';
import { MAX_MESSAGES } from '../../openai-chat/dto/message.dto';
import { isRecord } from '../../../../../common/validation/is-record';

/** A string, or an array of content blocks (objects with a string `type`). */
const IsBlocksOrText = (o?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isBlocksOrText',
      validator: {
        validate: (v: unknown) =>
          typeof v === 'string' ||
          (Array.isArray(v) &&
            v.every((b) => isRecord(b) && typeof (b as { type?: unknown }).type === 'string')),
        defaultMessage: (a) =>
          `${a?.property ?? 'content'} must be a string or an array of content blocks with a "type"`,
      },
    },
    o,
  );

/** One turn of `messages`: Anthropic's MessageParam. */
export class AnthropicMessageParamDto {
  @ApiProperty({ enum: ['user', 'assistant'], example: 'user' })
  @IsIn(['user', 'assistant'])
  role!: 'user' | 'assistant';

  @ApiProperty({
    description:
      'Text, or content blocks: `text`, `image` (base64 or url source), `tool_use` (assistant), ' +
      '`tool_result` (user), `thinking`/`redacted_thinking` (assistant: sent back unchanged to Claude models, not to other providers). ' +
      '`cache_control` on `text`, `image` and `tool_result` blocks reaches Anthropic unchanged (OpenRouter too; other services do not take it)',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object' } }],
    example: 'Hello, Claude',
  })
  @IsBlocksOrText()
  content!: string | Array<Record<string, unknown>>;
}

/** Anthropic's tool definition (`input_schema` is the JSON Schema of the input). */
export class AnthropicToolDto {
  @ApiPropertyOptional({
    description: 'Only custom tools (no `type`, or `custom`); server tools are not supported',
  })
  @IsOptional()
  @IsString()
  type?: string;

  @ApiProperty({ example: 'get_weather' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  name!: string;

  @ApiPropertyOptional({ example: 'Current weather for a city' })
  @IsOptional()
  @IsString()
  description?: string;

  @ApiProperty({
    example: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  })
  @IsPlainObject()
  input_schema!: Record<string, unknown>;

  @ApiPropertyOptional({
    description:
      'Prompt-cache breakpoint (`{"type":"ephemeral","ttl"?:"5m"|"1h"}`): forwarded unchanged to Anthropic models (and OpenRouter), left out for other services',
    example: { type: 'ephemeral' },
  })
  @IsOptional()
  @IsPlainObject()
  cache_control?: Record<string, unknown>;
}

/** `POST /v1/messages/count_tokens`: the fields that make up the input. */
export class AnthropicCountTokensDto {
  @ApiProperty({
    example: 'claude-sonnet-4-6',
    description: `A bare model id resolved through the catalog (\`claude-sonnet-4-6\`, \`gpt-4o-mini\`), \`<service>/<model>\` (${SERVICES.join(', ')}) or \`agent/<agent_id>\``,
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  model!: string;

  @ApiProperty({ type: [AnthropicMessageParamDto], maxItems: MAX_MESSAGES })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_MESSAGES)
  @ValidateNested({ each: true })
  @Type(() => AnthropicMessageParamDto)
  messages!: AnthropicMessageParamDto[];

  @ApiPropertyOptional({
    description:
      'System prompt: a string or `text` blocks; `cache_control` on a block reaches Anthropic unchanged',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object' } }],
  })
  @IsOptional()
  @IsBlocksOrText()
  system?: string | Array<Record<string, unknown>>;

  @ApiPropertyOptional({ type: [AnthropicToolDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(128)
  @ValidateNested({ each: true })
  @Type(() => AnthropicToolDto)
  tools?: AnthropicToolDto[];

  @ApiPropertyOptional({
    description: '`{type:"auto"|"any"|"none"}` or `{type:"tool",name}`',
    example: { type: 'auto' },
  })
  @IsOptional()
  @IsPlainObject()
  tool_choice?: Record<string, unknown>;

  @ApiPropertyOptional({
    description:
      'Extended thinking, e.g. `{type:"enabled",budget_tokens:2048}`: passed to models whose catalog entry lists `thinking` (Claude), dropped otherwise; the answer then opens with `thinking` blocks (`thinking_delta`/`signature_delta` when streaming)',
  })
  @IsOptional()
  @IsPlainObject()
  thinking?: Record<string, unknown>;
}

/** `POST /v1/messages`: Anthropic's Messages request. */
export class AnthropicMessagesDto extends AnthropicCountTokensDto {
  @ApiProperty({ minimum: 1, example: 1024 })
  @IsInt()
  @Min(1)
  max_tokens!: number;

  @ApiPropertyOptional({ type: [String], maxItems: 16 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(16)
  @IsString({ each: true })
  stop_sequences?: string[];

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  stream?: boolean;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 1,
    description: 'Forwarded where the model takes it, dropped otherwise',
  })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  temperature?: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 1,
    description: 'Forwarded where the model takes it, dropped otherwise',
  })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  top_p?: number;

  @ApiPropertyOptional({
    minimum: 0,
    description: 'Forwarded where the model takes it, dropped otherwise',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  top_k?: number;

  @ApiPropertyOptional({ description: '`user_id` is forwarded as the end-user id' })
  @IsOptional()
  @IsPlainObject()
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Accepted, not forwarded' })
  @IsOptional()
  @IsString()
  service_tier?: string;

  @ApiPropertyOptional({
    description:
      'Structured outputs: `format: {type:"json_schema", schema}` makes the answer a JSON text matching the schema, on every model (natively on Claude models and on services with json_schema, through a forced tool elsewhere). `effort` is accepted, not forwarded',
    example: {
      format: {
        type: 'json_schema',
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
  @IsPlainObject()
  output_config?: Record<string, unknown>;

  @ApiPropertyOptional({
    description: 'Deprecated beta spelling of `output_config.format`; treated the same way',
  })
  @IsOptional()
  @IsPlainObject()
  output_format?: Record<string, unknown>;
}
