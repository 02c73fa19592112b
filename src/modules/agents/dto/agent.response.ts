import { ApiProperty } from '@nestjs/swagger';
import { SERVICES, type ServiceName } from '../../providers';
import type { Agent, AgentFallback, AgentRateLimit } from '../agent.types';
import { AgentFallbackDto, AgentRateLimitDto } from './create-agent.dto';

/** An agent as the API returns it (Swagger model). */
export class AgentResponse implements Agent {
  @ApiProperty({ example: 'agt_3q2JXhN0v8S2aLr1m9BzQw' }) id!: string;
  @ApiProperty({ example: 'org-1' }) org_id!: string;
  @ApiProperty({ example: 'support-bot' }) name!: string;
  @ApiProperty({ enum: SERVICES }) service!: ServiceName;
  @ApiProperty({ example: 'gpt-4o-mini' }) model!: string;
  @ApiProperty() prompt!: string;
  @ApiProperty({ example: { temperature: 0.2 } }) configuration!: Record<string, unknown>;
  @ApiProperty({ type: [String] }) tool_ids!: string[];
  @ApiProperty({ type: [AgentFallbackDto] }) fallbacks!: AgentFallback[];
  @ApiProperty({ type: Number, nullable: true }) cache_ttl!: number | null;
  @ApiProperty({ type: AgentRateLimitDto, nullable: true }) rate_limit!: AgentRateLimit | null;
  @ApiProperty({ example: 5 }) max_tool_iterations!: number;
  @ApiProperty() created_at!: Date;
  @ApiProperty() updated_at!: Date;
}
