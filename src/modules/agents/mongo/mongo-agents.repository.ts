import type { Connection } from 'mongoose';
import { modelOn } from '../../../infra/document-store/mongo-model';
import { MongoOrgStore } from '../../../infra/document-store/mongo-org-store';
import type { Agent } from '../agent.types';
import { AGENT_ID_PREFIX } from '../agent.types';
import type { AgentsRepository } from '../agents.repository';
import { duplicateAgentMessage } from '../agent.messages';
import { AGENT_MODEL, AgentSchema } from './agent.schema';

export class MongoAgentsRepository extends MongoOrgStore<Agent> implements AgentsRepository {
  constructor(connection: Connection) {
    super(modelOn(connection, AGENT_MODEL, AgentSchema), {
      idPrefix: AGENT_ID_PREFIX,
      conflictMessage: duplicateAgentMessage,
    });
  }
}
