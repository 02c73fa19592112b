import { PartialType } from '@nestjs/swagger';
import { CreateAgentDto } from './create-agent.dto';

/**
 * `PATCH /api/v1/agents/:id`: any subset of the create fields. Null is only accepted where a
 * field is nullable (cache_ttl, rate_limit clear the override); elsewhere it is a 400.
 */
export class UpdateAgentDto extends PartialType(CreateAgentDto, { skipNullProperties: false }) {}
