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
import {
  SERVICES,
  type ResponseFormat,
  type ToolChoice,
} from '../../../../providers/provider.types';
import { registerFastAccept } from '../../../../../common/validation/fast-accept';
import { isCommonOpenAiChatRequest } from '../../shared/chat-request.fast-accept';
import { MAX_MESSAGES, MessageDto } from './message.dto';

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
    maximum: 1,
    description: 'Only 1 is supported',
    nullable: true,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1)
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

  @ApiPropertyOptional({ example: { type: 'json_object' } })
  @IsOptional()
  @IsOpenAiResponseFormat()
  response_format?: ResponseFormat;

  @ApiPropertyOptional({ description: 'End-user id, forwarded where the service accepts one' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  user?: string;
}

registerFastAccept(OpenAiChatCompletionDto, isCommonOpenAiChatRequest);
