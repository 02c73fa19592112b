import { AgentEntity } from '../../modules/agents/postgres/agent.entity';
import { CallLogEntity } from '../../modules/conversations/call-logs/postgres/call-log.entity';
import { ConversationMessageEntity } from '../../modules/conversations/postgres/conversation-message.entity';
import { ProviderKeyEntity } from '../../modules/provider-keys/postgres/provider-key.entity';
import { ConversationRecordEntity } from '../../modules/responses/postgres/conversation-record.entity';
import { ResponseEntity } from '../../modules/responses/postgres/response.entity';
import { Responses1795709200000 } from '../../modules/responses/postgres/1795709200000-Responses';
import { ToolEntity } from '../../modules/tools/postgres/tool.entity';
import { DocumentStore1795708300000 } from './migrations/1795708300000-DocumentStore';

/**
 * The document store's tables (agents, tools, provider keys, conversations, call logs, stored
 * Responses and conversation records).
 */
export const DOCUMENT_STORE_ENTITIES = [
  AgentEntity,
  ToolEntity,
  ProviderKeyEntity,
  ConversationMessageEntity,
  CallLogEntity,
  ResponseEntity,
  ConversationRecordEntity,
];
export const DOCUMENT_STORE_MIGRATIONS = [DocumentStore1795708300000, Responses1795709200000];
