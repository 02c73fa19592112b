import { Module } from '@nestjs/common';
import { provideRepository } from '../../infra/document-store/provide-repository';
import { ConversationsModule } from '../conversations';
import { ConversationRecordsRepository } from './conversation-records.repository';
import { ConversationStore } from './conversation-store.service';
import { PostgresConversationRecordsRepository } from './postgres/postgres-conversation-records.repository';
import { PostgresResponsesRepository } from './postgres/postgres-responses.repository';
import { ResponsesRepository } from './responses.repository';
import { ResponsesStore } from './responses.service';

/**
 * The Responses API's state: stored Responses (`ResponsesStore`) and conversations mapped onto
 * threads (`ConversationStore`). No routes: the completions module serves /v1/responses and
 * /v1/conversations with these services.
 */
@Module({
  imports: [ConversationsModule],
  providers: [
    provideRepository(
      ResponsesRepository,
      () => import('./mongo/mongo-responses.repository').then((m) => m.MongoResponsesRepository),
      PostgresResponsesRepository,
    ),
    provideRepository(
      ConversationRecordsRepository,
      () =>
        import('./mongo/mongo-conversation-records.repository').then(
          (m) => m.MongoConversationRecordsRepository,
        ),
      PostgresConversationRecordsRepository,
    ),
    ResponsesStore,
    ConversationStore,
  ],
  exports: [ResponsesStore, ConversationStore],
})
export class ResponsesModule {}
