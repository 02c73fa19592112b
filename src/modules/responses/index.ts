/** The responses module's public surface: the module, its two services and their types. */
export { ResponsesModule } from './responses.module';
export { ResponsesStore, responseNotFound } from './responses.service';
export {
  ConversationStore,
  conversationNotFound,
  DEFAULT_ITEMS_LIMIT,
  MAX_ITEMS_LIMIT,
  type ItemsPage,
  type ListItemsOptions,
  type NewConversation,
} from './conversation-store.service';
export {
  CONVERSATION_ID_PREFIX,
  RESPONSE_ID_PREFIX,
  RESPONSE_STATUSES,
  type ResponsePatch,
  type ResponseStatus,
  type StoredConversation,
  type StoredResponse,
} from './response-record';
export { ResponseEntity } from './postgres/response.entity';
export { ConversationRecordEntity } from './postgres/conversation-record.entity';
export { Responses1795709200000 } from './postgres/1795709200000-Responses';
