import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  IsCacheOption,
  IsConfiguration,
  IsHeaderMap,
  IsVariables,
} from '../../../../../common/validation/validators';
import { registerFastAccept } from '../../../../../common/validation/fast-accept';
import { MAX_MESSAGES, MessageDto } from '../../openai-chat/dto/message.dto';
import { SAFE_ID_PATTERN } from '../../../../../common/validation/safe-id';

export class ResponseFormatDto {
  @ApiProperty({ enum: ['default', 'webhook'], example: 'default' })
  @IsIn(['default', 'webhook'])
  type!: 'default' | 'webhook';

  @ApiPropertyOptional({
    example: 'https://example.com/hooks/llm',
    description: 'Required for type "webhook"',
  })
  @ValidateIf((f: ResponseFormatDto) => f.type === 'webhook')
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  url?: string;

  @ApiPropertyOptional({
    example: { authorization: 'Bearer receiver-token' },
    description:
      'Sent with the delivery: at most 32 headers, valid names, values without line breaks',
  })
  @IsOptional()
  @IsHeaderMap()
  headers?: Record<string, string>;
}

/** `POST /api/v2/model/chat/completion`: run a stored agent. */
export class AgentCompletionDto {
  @ApiPropertyOptional({
    example: 'agt_support',
    description: 'The agent to run (required unless bridge_id is given)',
  })
  @ValidateIf((d: AgentCompletionDto) => d.bridge_id === undefined)
  @IsString()
  @Matches(SAFE_ID_PATTERN, {
    message: 'agent_id must be 1-128 characters of letters, digits, . _ : -',
  })
  agent_id?: string;

  @ApiPropertyOptional({ description: 'Alias of agent_id (older clients)' })
  @IsOptional()
  @IsString()
  @Matches(SAFE_ID_PATTERN, {
    message: 'bridge_id must be 1-128 characters of letters, digits, . _ : -',
  })
  bridge_id?: string;

  @ApiPropertyOptional({
    example: 'What is the weather in Paris?',
    description: 'The new user message (or send messages)',
  })
  @ValidateIf((d: AgentCompletionDto) => d.messages === undefined)
  @IsString()
  @IsNotEmpty()
  user?: string;

  @ApiPropertyOptional({
    type: [MessageDto],
    maxItems: MAX_MESSAGES,
    description: 'Full message list instead of user',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_MESSAGES)
  @ValidateNested({ each: true })
  @Type(() => MessageDto)
  messages?: MessageDto[];

  @ApiPropertyOptional({
    type: [String],
    example: ['https://example.com/cat.png'],
    description: 'Image URLs for vision models',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(16)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true }, { each: true })
  images?: string[];

  @ApiPropertyOptional({ example: 'thread-42' })
  @IsOptional()
  @IsString()
  @Matches(SAFE_ID_PATTERN, {
    message: 'thread_id must be 1-128 characters of letters, digits, . _ : -',
  })
  thread_id?: string;

  @ApiPropertyOptional({ example: 'sub-1' })
  @IsOptional()
  @IsString()
  @Matches(SAFE_ID_PATTERN, {
    message: 'sub_thread_id must be 1-128 characters of letters, digits, . _ : -',
  })
  sub_thread_id?: string;

  @ApiPropertyOptional({
    example: { name: 'Ada' },
    description: 'Fills {{name}} in the agent prompt',
  })
  @IsOptional()
  @IsVariables()
  variables?: Record<string, string | number | boolean>;

  @ApiPropertyOptional({
    example: { temperature: 0.2, max_tokens: 256 },
    description: 'Per-request model parameters, checked against the model catalog',
  })
  @IsOptional()
  @IsConfiguration()
  configuration?: Record<string, unknown>;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  stream?: boolean;

  @ApiPropertyOptional({
    oneOf: [
      { type: 'boolean', enum: [false] },
      { type: 'object', properties: { ttl: { type: 'integer' } } },
    ],
    example: { ttl: 600 },
  })
  @IsOptional()
  @IsCacheOption()
  cache?: boolean | { ttl: number };

  @ApiPropertyOptional({ type: ResponseFormatDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ResponseFormatDto)
  response_format?: ResponseFormatDto;
}

// Hot route: bodies the decorators above certainly accept skip class-validator (fast-accept.ts).
registerFastAccept(AgentCompletionDto);
