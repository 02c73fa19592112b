import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ExecutedToolCallDto {
  @ApiProperty({ example: 'call_abc' }) id!: string;
  @ApiProperty({ example: 'get_weather' }) name!: string;
  @ApiProperty({ example: '{"city":"Paris"}' }) arguments!: string;
  @ApiProperty({ example: '{"temp_c":18}' }) result!: string;
  @ApiProperty({ example: 120 }) duration_ms!: number;
}

export class CompletionUsageDto {
  @ApiProperty({ example: 42 }) input_tokens!: number;
  @ApiProperty({ example: 12 }) output_tokens!: number;
  @ApiProperty({ example: 54 }) total_tokens!: number;
  @ApiProperty({ example: 0 }) cached_tokens!: number;
  @ApiProperty({
    example: 0.000123,
    nullable: true,
    description:
      "USD from the model's price sheet (cache reads and writes, reasoning and long-context tiers included; README, Cost), summed over tool rounds; 0 for a cache hit; null when the model is not priced in the catalog",
  })
  cost_usd!: number | null;
}

export class AgentCompletionDataDto {
  @ApiProperty({ description: 'The request id' }) id!: string;
  @ApiPropertyOptional({ nullable: true }) thread_id!: string | null;
  @ApiProperty() agent_id!: string;
  @ApiProperty({ example: 'openai' }) service!: string;
  @ApiProperty({ example: 'gpt-4o-mini' }) model!: string;
  @ApiProperty({ nullable: true, example: 'It is 18°C and sunny in Paris.' }) content!:
    string | null;
  @ApiProperty({ enum: ['stop', 'length', 'tool_calls', 'content_filter'] }) finish_reason!: string;
  @ApiProperty({
    type: [ExecutedToolCallDto],
    description: 'Tools the gateway ran for this answer',
  })
  tool_calls!: ExecutedToolCallDto[];
  @ApiProperty({ type: CompletionUsageDto }) usage!: CompletionUsageDto;
  @ApiProperty({ description: 'Served from the response cache (cost 0)' }) cached!: boolean;
  @ApiProperty({ example: 812 }) latency_ms!: number;
}

export class AgentCompletionResponseDto {
  @ApiProperty({ example: true }) success!: true;
  @ApiProperty({ type: AgentCompletionDataDto }) data!: AgentCompletionDataDto;
}
