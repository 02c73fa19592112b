/** The conversations module's public surface; other modules import from here only. */
export { ConversationsModule } from './conversations.module';
export { ConversationsService, type AppendOptions } from './conversations.service';
export { ParseThreadIdPipe } from './dto/thread-id';
export type { MessageOrder } from './conversations.repository';
export {
  messageKey,
  toChatMessage,
  toStoredMessage,
  type ConversationMessage,
  type ConversationMessageInput,
} from './conversation.types';
export { CallLogsService, completeCallLog } from './call-logs/call-logs.service';
export {
  CALL_LOG_ID_PREFIX,
  type CallRequestSummary,
  type NewCallLog,
} from './call-logs/call-log.types';
// The SQL post-answer writer (completions) writes these rows in its own statement.
export { ConversationMessageEntity } from './postgres/conversation-message.entity';
export { CallLogEntity } from './call-logs/postgres/call-log.entity';
