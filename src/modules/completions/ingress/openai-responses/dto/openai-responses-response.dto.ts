import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Swagger shapes of the Responses API answer (documentation only). */

export class ResponsesInputTokensDetailsDto {
  @ApiProperty({ example: 0 }) cached_tokens!: number;
}

export class ResponsesOutputTokensDetailsDto {
  @ApiProperty({ example: 0 }) reasoning_tokens!: number;
}

export class ResponsesUsageDto {
  @ApiProperty({ example: 36, description: 'Input tokens, cached ones included' })
  input_tokens!: number;
  @ApiProperty({ type: ResponsesInputTokensDetailsDto })
  input_tokens_details!: ResponsesInputTokensDetailsDto;
  @ApiProperty({ example: 87 }) output_tokens!: number;
  @ApiProperty({ type: ResponsesOutputTokensDetailsDto })
  output_tokens_details!: ResponsesOutputTokensDetailsDto;
  @ApiProperty({ example: 123 }) total_tokens!: number;
}

export class ResponsesErrorDto {
  @ApiProperty({ enum: ['server_error', 'rate_limit_exceeded', 'invalid_prompt'] })
  code!: string;
  @ApiProperty() message!: string;
}

export class ResponsesIncompleteDetailsDto {
  @ApiProperty({ enum: ['max_output_tokens', 'content_filter'] }) reason!: string;
}

export class ResponseObjectDto {
  @ApiProperty({ example: 'resp_67ccd2bed1ec8190b14f964abc054267' }) id!: string;
  @ApiProperty({ enum: ['response'] }) object!: 'response';
  @ApiProperty({ example: 1741476542, description: 'Unix seconds' }) created_at!: number;
  @ApiProperty({ enum: ['completed', 'incomplete', 'failed', 'in_progress', 'queued'] })
  status!: string;
  @ApiPropertyOptional({ example: 1741476543 }) completed_at?: number;
  @ApiProperty({ type: ResponsesErrorDto, nullable: true }) error!: ResponsesErrorDto | null;
  @ApiProperty({ type: ResponsesIncompleteDetailsDto, nullable: true })
  incomplete_details!: ResponsesIncompleteDetailsDto | null;
  @ApiProperty({ example: 'openai/gpt-4o-mini', description: 'The model as requested' })
  model!: string;
  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    description:
      '`message` items (`output_text` content), `function_call` items ({call_id, name, arguments}) and `reasoning` items (extended thinking)',
    example: [
      {
        id: 'msg_67ccd2bed1ec8190b14f964abc054267',
        type: 'message',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: 'Hello!', annotations: [], logprobs: [] }],
      },
    ],
  })
  output!: object[];
  @ApiProperty({ type: ResponsesUsageDto, nullable: true }) usage!: ResponsesUsageDto | null;
  @ApiProperty({ type: String, nullable: true }) instructions!: string | null;
  @ApiProperty({ type: 'array', items: { type: 'object' } }) tools!: object[];
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'object' }], example: 'auto' })
  tool_choice!: string | object;
  @ApiProperty() parallel_tool_calls!: boolean;
  @ApiProperty({ type: Number, nullable: true }) temperature!: number | null;
  @ApiProperty({ type: Number, nullable: true }) top_p!: number | null;
  @ApiProperty({ type: Number, nullable: true }) max_output_tokens!: number | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  metadata!: Record<string, string>;
  @ApiProperty({ type: String, nullable: true }) previous_response_id!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { format: { type: 'text' } },
  })
  text!: object;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { effort: null, summary: null },
  })
  reasoning!: object;
  @ApiProperty() store!: boolean;
  @ApiProperty() background!: boolean;
  @ApiProperty({ enum: ['auto', 'disabled'] }) truncation!: string;
}
