import { ApiProperty } from '@nestjs/swagger';

/** Swagger shapes of the Anthropic Messages responses (documentation only). */

export class AnthropicUsageDto {
  @ApiProperty({ example: 12, description: 'Input tokens not read from the prompt cache' })
  input_tokens!: number;
  @ApiProperty({ example: 8 }) output_tokens!: number;
  @ApiProperty({ example: 0 }) cache_creation_input_tokens!: number;
  @ApiProperty({ example: 0 }) cache_read_input_tokens!: number;
}

export class AnthropicMessageResponseDto {
  @ApiProperty({ example: 'msg_01HZX...' }) id!: string;
  @ApiProperty({ enum: ['message'] }) type!: 'message';
  @ApiProperty({ enum: ['assistant'] }) role!: 'assistant';
  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    example: [{ type: 'text', text: 'Hello!' }],
    description: '`text` and `tool_use` ({id, name, input}) blocks',
  })
  content!: object[];
  @ApiProperty({ example: 'claude-sonnet-4-6' }) model!: string;
  @ApiProperty({ enum: ['end_turn', 'max_tokens', 'stop_sequence', 'tool_use', 'refusal'] })
  stop_reason!: string;
  @ApiProperty({ type: String, nullable: true, example: null }) stop_sequence!: string | null;
  @ApiProperty({ type: AnthropicUsageDto }) usage!: AnthropicUsageDto;
}

export class AnthropicCountTokensResponseDto {
  @ApiProperty({ example: 14, description: 'Estimated input tokens of the request' })
  input_tokens!: number;
}

/** Anthropic's error body: one schema with the other formats' in common/swagger. */
export { AnthropicErrorDetailDto, AnthropicErrorDto } from '../../../../../common/swagger';
