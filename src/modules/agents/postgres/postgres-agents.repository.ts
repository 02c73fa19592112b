import type { DataSource } from 'typeorm';
import { PostgresOrgStore } from '../../../infra/document-store/postgres-org-store';
import { duplicateAgentMessage } from '../agent.messages';
import { AGENT_ID_PREFIX } from '../agent.types';
import type { AgentsRepository } from '../agents.repository';
import { AgentEntity } from './agent.entity';

export class PostgresAgentsRepository
  extends PostgresOrgStore<AgentEntity>
  implements AgentsRepository
{
  constructor(dataSource: DataSource) {
    super(dataSource.getRepository(AgentEntity), {
      idPrefix: AGENT_ID_PREFIX,
      conflictMessage: duplicateAgentMessage,
    });
  }
}
