import { ApiProperty } from '@nestjs/swagger';
import {
  CALL_OUTCOMES,
  type CallLog,
  type CallOutcome,
  type CallRequestSummary,
} from '../call-log.types';

export class CallLogResponse implements CallLog {
  @ApiProperty({ example: 'clog_3q2JXhN0v8S2aLr1m9BzQw' }) id!: string;
  @ApiProperty() org_id!: string;
  @ApiProperty({ type: String, nullable: true }) user_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) agent_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) thread_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) request_id!: string | null;
  @ApiProperty({ example: 'openai' }) service!: string;
  @ApiProperty({ example: 'gpt-4o-mini' }) model!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { endpoint: 'agent', message_count: 3, stream: false },
  })
  request!: CallRequestSummary;
  @ApiProperty({ enum: CALL_OUTCOMES }) outcome!: CallOutcome;
  @ApiProperty({ description: 'Answered from the response cache' }) cached!: boolean;
  @ApiProperty() latency_ms!: number;
  @ApiProperty() input_tokens!: number;
  @ApiProperty() output_tokens!: number;
  @ApiProperty() total_tokens!: number;
  @ApiProperty({ description: 'Prompt tokens read from the cache (a part of input_tokens)' })
  cached_tokens!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0.00063685,
    description:
      "USD from the model's price sheet: input, output, cache reads, cache writes (5-minute and 1-hour), reasoning and the long-context tier (README, Cost); null when the model is not priced",
  })
  cost_usd!: number | null;
  @ApiProperty({ type: String, nullable: true }) error_code!: string | null;
  @ApiProperty() created_at!: Date;
}
