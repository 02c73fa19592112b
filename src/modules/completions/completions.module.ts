import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Connection } from 'mongoose';
import { DataSource } from 'typeorm';
import { storesConfig } from '../../config';
import { MONGO_CONNECTION } from '../../infra/mongo/mongo-connection.token';
import { AgentsModule } from '../agents';
import { ResponseCacheModule } from '../cache';
import { ConversationsModule } from '../conversations';
import { MetricsModule } from '../metrics';
import { JobQueue, QueueModule } from '../queue';
import { ResponsesModule } from '../responses';
import { ToolExecutor, ToolsModule } from '../tools';
import { AsyncCompletions } from './async/async-completions.service';
import { CompletionJobHandler } from './async/completion-job.handler';
import { INGRESS_CONTROLLERS } from './ingress/ingress-list';
import { BackgroundResponses } from './ingress/openai-responses/responses.background';
import { ResponsesRunner } from './ingress/openai-responses/responses.runner';
import { ModelsController } from './models.controller';
import { AfterAnswer } from './pipeline/after-answer.service';
import { BackgroundTasks } from './pipeline/background-tasks';
import { CompletionPipeline } from './pipeline/completion-pipeline.service';
import { JobBuilder } from './pipeline/job-builder';
import { ModelRunner } from './pipeline/model-runner';
import {
  AgentsAdapter,
  CallLogsAdapter,
  ConversationsAdapter,
  ToolsAdapter,
  UsageRowsAdapter,
} from './pipeline/port-adapters';
import { AgentSource, CallLogSink, ThreadStore, ToolSource, UsageSink } from './pipeline/ports';
import { POST_ANSWER_SPOOLS, PostAnswerJournal } from './pipeline/post-answer/post-answer.journal';
import type { PostAnswerSpool } from './pipeline/post-answer/post-answer.spool';
import { PostAnswerSweeper } from './pipeline/post-answer/post-answer.sweeper';
import {
  PostAnswerWriter,
  StoresPostAnswerWriter,
} from './pipeline/post-answer/post-answer.writer';
import { PostgresOutbox } from './pipeline/post-answer/postgres/postgres-outbox';
import { SqlPostAnswerWriter } from './pipeline/post-answer/postgres/sql-post-answer.writer';
import { PostAnswerJobHandler, QueueSpool } from './pipeline/post-answer/queue-spool';

/**
 * The completion endpoints (one controller per ingress format, from the ingress list) and the
 * pipeline behind them, and async (webhook) completions. ProvidersService comes from the
 * global ProvidersModule.forRoot() in the root module; JobQueue, JobHandlerRegistry and
 * WebhookDelivery from QueueModule, which runs the jobs this module hands it.
 */
@Module({
  imports: [
    AgentsModule,
    ToolsModule,
    ConversationsModule,
    MetricsModule,
    ResponseCacheModule,
    QueueModule,
    ResponsesModule,
  ],
  controllers: [...INGRESS_CONTROLLERS, ModelsController],
  providers: [
    CompletionPipeline,
    JobBuilder,
    ModelRunner,
    AfterAnswer,
    BackgroundTasks,
    ToolExecutor,
    StoresPostAnswerWriter,
    {
      provide: PostAnswerWriter,
      inject: [storesConfig.KEY, DataSource, StoresPostAnswerWriter],
      // Documents and metrics in one PostgreSQL: one statement per group of answers.
      useFactory: (
        stores: ConfigType<typeof storesConfig>,
        dataSource: DataSource,
        separate: StoresPostAnswerWriter,
      ): PostAnswerWriter =>
        stores.documentStore === 'postgres' ? new SqlPostAnswerWriter(dataSource) : separate,
    },
    PostAnswerJournal,
    PostAnswerSweeper,
    PostAnswerJobHandler,
    // The Responses API's state: stored responses, continuations and background runs.
    ResponsesRunner,
    BackgroundResponses,
    // Async (webhook) completions: submitted by the agent endpoint, run by the handler that
    // registers itself with the queue's JobHandlerRegistry.
    AsyncCompletions,
    CompletionJobHandler,
    {
      provide: POST_ANSWER_SPOOLS,
      inject: [storesConfig.KEY, DataSource, JobQueue, { token: MONGO_CONNECTION, optional: true }],
      useFactory: postAnswerSpools,
    },
    { provide: AgentSource, useClass: AgentsAdapter },
    { provide: ToolSource, useClass: ToolsAdapter },
    { provide: ThreadStore, useClass: ConversationsAdapter },
    { provide: CallLogSink, useClass: CallLogsAdapter },
    { provide: UsageSink, useClass: UsageRowsAdapter },
  ],
  exports: [CompletionPipeline, JobBuilder, BackgroundTasks, AfterAnswer],
})
export class CompletionsModule {}

/**
 * Where an answer's record goes when its writes fail, in order. With documents on MongoDB and
 * metrics on PostgreSQL, each store holds an outbox for when the other one is down (a spool in a
 * store that just failed is skipped). With everything on PostgreSQL (or embedded), there is no
 * other store: a failed write fails the answer, unless RabbitMQ can take the record.
 */
async function postAnswerSpools(
  stores: ConfigType<typeof storesConfig>,
  dataSource: DataSource,
  queue: JobQueue,
  mongo: Connection | undefined,
): Promise<PostAnswerSpool[]> {
  const spools: PostAnswerSpool[] = [];
  if (stores.documentStore === 'mongo' && mongo) {
    const { MongoOutbox } = await import('./pipeline/post-answer/mongo/mongo-outbox');
    spools.push(new MongoOutbox(mongo, 'documents'), new PostgresOutbox(dataSource, 'metrics'));
  }
  if (queue.durable) spools.push(new QueueSpool(queue));
  return spools;
}
