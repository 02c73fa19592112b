import { Module } from '@nestjs/common';
import { provideRepository } from '../../infra/document-store/provide-repository';
import { CallLogsController } from './call-logs/call-logs.controller';
import { CallLogsRepository } from './call-logs/call-logs.repository';
import { CallLogsService } from './call-logs/call-logs.service';
import { PostgresCallLogsRepository } from './call-logs/postgres/postgres-call-logs.repository';
import { ConversationsRepository } from './conversations.repository';
import { ConversationsService } from './conversations.service';
import { PostgresConversationsRepository } from './postgres/postgres-conversations.repository';
import { ThreadsController } from './threads.controller';

/**
 * Threads and messages, and the per-completion call logs. Exports `ConversationsService`
 * (`history`, `appendExchange`) and `CallLogsService` (`record`, `recordMany`).
 */
@Module({
  controllers: [ThreadsController, CallLogsController],
  providers: [
    provideRepository(
      ConversationsRepository,
      () =>
        import('./mongo/mongo-conversations.repository').then(
          (m) => m.MongoConversationsRepository,
        ),
      PostgresConversationsRepository,
    ),
    provideRepository(
      CallLogsRepository,
      () =>
        import('./call-logs/mongo/mongo-call-logs.repository').then(
          (m) => m.MongoCallLogsRepository,
        ),
      PostgresCallLogsRepository,
    ),
    ConversationsService,
    CallLogsService,
  ],
  exports: [ConversationsService, CallLogsService],
})
export class ConversationsModule {}
