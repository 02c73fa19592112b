import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
  ValidateIf,
  IsNotEmpty,
} from 'class-validator';
import { IsMessageContent, IsPlainObject } from '../../../../../common/validation/validators';
import type { ContentPart } from '../../../../providers';
import * as Field from '../../shared/dto-fields';

export class ToolCallFunctionDto {
  @ApiProperty({ example: 'get_weather' })
  @IsString()
  @IsNotEmpty()
  name!: string;

  @ApiProperty({ example: '{"city":"Paris"}', description: 'JSON-encoded arguments' })
  @IsString()
  arguments!: string;
}

export class ToolCallDto {
  @ApiProperty({ example: 'call_abc123' })
  @IsString()
  @IsNotEmpty()
  id!: string;

  @ApiProperty({ enum: ['function'] })
  @IsIn(['function'])
  type!: 'function';

  @ApiProperty({ type: ToolCallFunctionDto })
  @ValidateNested()
  @Type(() => ToolCallFunctionDto)
  function!: ToolCallFunctionDto;
}

export const MESSAGE_ROLES = ['system', 'developer', 'user', 'assistant', 'tool'] as const;

/** Messages one request may carry (the agent's stored history is not counted). */
export const MAX_MESSAGES = 2048;
/** Tool calls one assistant message may carry. */
export const MAX_TOOL_CALLS = 128;

/** One chat message in OpenAI's shape. */
export class MessageDto {
  @ApiProperty({ enum: MESSAGE_ROLES, example: 'user' })
  @IsIn(MESSAGE_ROLES)
  role!: (typeof MESSAGE_ROLES)[number];

  @ApiProperty({
    description:
      'Text, or an array of `{type:"text",text}` / `{type:"image_url",image_url:{url}}` parts; null only on assistant messages with tool_calls',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object' } }],
    nullable: true,
    example: 'What is the weather in Paris?',
  })
  @ValidateIf((m: MessageDto) => !(m.role === 'assistant' && m.tool_calls !== undefined))
  @IsMessageContent()
  content!: string | ContentPart[] | null;

  @ApiPropertyOptional({ example: 'alice' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  name?: string;

  @ApiPropertyOptional({ description: 'On role "tool": the id of the call this answers' })
  @ValidateIf((m: MessageDto) => m.role === 'tool')
  @IsString()
  @IsNotEmpty()
  tool_call_id?: string;

  @Field.OptionalString({
    nullable: true,
    description: 'On role "assistant": accepted as OpenAI returns it, not forwarded',
  })
  refusal?: string | null;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object' },
    description: 'On role "assistant": accepted as OpenAI returns it, not forwarded',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_TOOL_CALLS)
  annotations?: unknown[];

  @ApiPropertyOptional({
    description:
      'On role "assistant": the parsed content the OpenAI SDK helpers (`parse()`, `stream()`) add; accepted, not forwarded',
  })
  @IsOptional()
  parsed?: unknown;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description:
      'On role "assistant": `{ id }` of a previous audio answer; accepted, not forwarded',
  })
  @IsOptional()
  @IsPlainObject()
  audio?: Record<string, unknown> | null;

  @ApiPropertyOptional({
    type: [ToolCallDto],
    description: 'On role "assistant": the calls it made',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_TOOL_CALLS)
  @ValidateNested({ each: true })
  @Type(() => ToolCallDto)
  tool_calls?: ToolCallDto[];
}
