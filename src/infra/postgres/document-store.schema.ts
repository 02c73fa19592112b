import { AgentEntity } from '../../modules/agents';
import { CallLogEntity, ConversationMessageEntity } from '../../modules/conversations';
import { ProviderKeyEntity } from '../../modules/provider-keys';
import { ToolEntity } from '../../modules/tools';
import { DocumentStore1795708300000 } from './migrations/1795708300000-DocumentStore';

/** The document store's tables (agents, tools, provider keys, conversations, call logs). */
export const DOCUMENT_STORE_ENTITIES = [
  AgentEntity,
  ToolEntity,
  ProviderKeyEntity,
  ConversationMessageEntity,
  CallLogEntity,
];
export const DOCUMENT_STORE_MIGRATIONS = [DocumentStore1795708300000];
