import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Min,
  ValidateBy,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { IsPlainObject } from '../../../../../common/validation/validators';
import { SERVICES } from '../../../../providers';
import { MAX_MESSAGES } from '../../openai-chat/dto/message.dto';
import { isRecord } from '../../../../../common/validation/is-record';
import * as Field from '../../shared/dto-fields';

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
  @Field.OptionalString({
    description: 'Only custom tools (no `type`, or `custom`); server tools are not supported',
  })
  type?: string;

  @Field.NonEmptyStringUpTo(128, { example: 'get_weather' })
  name!: string;

  @Field.OptionalString({ example: 'Current weather for a city' })
  description?: string;

  @ApiProperty({
    example: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  })
  @IsPlainObject()
  input_schema!: Record<string, unknown>;

  @Field.OptionalPlainObject({
    description:
      'Prompt-cache breakpoint (`{"type":"ephemeral","ttl"?:"5m"|"1h"}`): forwarded unchanged to Anthropic models (and OpenRouter), left out for other services',
    example: { type: 'ephemeral' },
  })
  cache_control?: Record<string, unknown>;
}

/** `POST /v1/messages/count_tokens`: the fields that make up the input. */
export class AnthropicCountTokensDto {
  @Field.NonEmptyStringUpTo(256, {
    example: 'claude-sonnet-4-6',
    description: `A bare model id resolved through the catalog (\`claude-sonnet-4-6\`, \`gpt-4o-mini\`), \`<service>/<model>\` (${SERVICES.join(', ')}) or \`agent/<agent_id>\``,
  })
  model!: string;

  @Field.NestedList(AnthropicMessageParamDto, MAX_MESSAGES)
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

  @Field.OptionalPlainObject({
    description: '`{type:"auto"|"any"|"none"}` or `{type:"tool",name}`',
    example: { type: 'auto' },
  })
  tool_choice?: Record<string, unknown>;

  @Field.OptionalPlainObject({
    description:
      'Extended thinking, e.g. `{type:"enabled",budget_tokens:2048}`: passed to models whose catalog entry lists `thinking` (Claude), dropped otherwise; the answer then opens with `thinking` blocks (`thinking_delta`/`signature_delta` when streaming)',
  })
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

  @Field.OptionalBoolean({ default: false })
  stream?: boolean;

  @Field.OptionalNumberIn(0, 1, {
    description: 'Forwarded where the model takes it, dropped otherwise',
  })
  temperature?: number;

  @Field.OptionalNumberIn(0, 1, {
    description: 'Forwarded where the model takes it, dropped otherwise',
  })
  top_p?: number;

  @Field.OptionalIntFrom(0, {
    description: 'Forwarded where the model takes it, dropped otherwise',
  })
  top_k?: number;

  @Field.OptionalPlainObject({ description: '`user_id` is forwarded as the end-user id' })
  metadata?: Record<string, unknown>;

  @Field.OptionalString({ description: 'Accepted, not forwarded' })
  service_tier?: string;

  @Field.OptionalPlainObject({
    description:
      'Structured outputs: `format: {type:"json_schema", schema}` makes the answer a JSON text matching the schema, on every model (natively on Claude models and on services with json_schema, through a forced tool elsewhere). `effort` is accepted, not forwarded',
    example: {
      format: {
        type: 'json_schema',
        schema: Field.ANSWER_SCHEMA_EXAMPLE,
      },
    },
  })
  output_config?: Record<string, unknown>;

  @Field.OptionalPlainObject({
    description: 'Deprecated beta spelling of `output_config.format`; treated the same way',
  })
  output_format?: Record<string, unknown>;
}
