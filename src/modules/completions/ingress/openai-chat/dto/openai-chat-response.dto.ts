import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ToolCallDto } from './message.dto';

/** The documentation of the `chat.completion` object `toChatCompletion` builds (OpenAI's shape). */

export class OpenAiAssistantMessageDto {
  @ApiProperty({ enum: ['assistant'] }) role!: 'assistant';
  @ApiProperty({ type: String, nullable: true, example: 'The capital of France is Paris.' })
  content!: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) refusal!: string | null;
  @ApiPropertyOptional({ type: [ToolCallDto], description: 'Present when the model calls tools' })
  tool_calls?: ToolCallDto[];
}

export class OpenAiChoiceDto {
  @ApiProperty({ example: 0 }) index!: number;
  @ApiProperty({ type: OpenAiAssistantMessageDto }) message!: OpenAiAssistantMessageDto;
  @ApiProperty({ type: Object, nullable: true, example: null }) logprobs!: unknown;
  @ApiProperty({
    enum: ['stop', 'length', 'tool_calls', 'content_filter'],
    example: 'stop',
  })
  finish_reason!: string;
}

export class OpenAiUsageDto {
  @ApiProperty({ example: 14 }) prompt_tokens!: number;
  @ApiProperty({ example: 8 }) completion_tokens!: number;
  @ApiProperty({ example: 22 }) total_tokens!: number;
  @ApiProperty({ example: { cached_tokens: 0 } })
  prompt_tokens_details!: { cached_tokens: number };
  @ApiProperty({ example: { reasoning_tokens: 0 } })
  completion_tokens_details!: { reasoning_tokens: number };
}

export class OpenAiChatCompletionResponseDto {
  @ApiProperty({ example: 'chatcmpl-b3f1c2d4-9a1e-4c55-8f0e-2d7c1a6b9e01' }) id!: string;
  @ApiProperty({ enum: ['chat.completion'] }) object!: 'chat.completion';
  @ApiProperty({ example: 1761955200, description: 'Unix seconds' }) created!: number;
  @ApiProperty({ example: 'openai/gpt-4o-mini', description: '`<service>/<model>` that answered' })
  model!: string;
  @ApiProperty({
    type: [OpenAiChoiceDto],
    description: 'One choice, or `n` (indexes 0..n-1) where the model serves `n` > 1',
  })
  choices!: OpenAiChoiceDto[];
  @ApiProperty({ type: OpenAiUsageDto }) usage!: OpenAiUsageDto;
  @ApiProperty({ type: String, nullable: true, example: null }) system_fingerprint!: string | null;
}
