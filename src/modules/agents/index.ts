/** The agents module's public surface; other modules import from here only. */
export { AgentsModule } from './agents.module';
export { AgentsService } from './agents.service';
export type { Agent } from './agent.types';
export { AgentRateLimitsAdapter } from './agent-rate-limits.adapter';
export { AgentEntity } from './postgres/agent.entity';
