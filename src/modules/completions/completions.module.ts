import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { ResponseCacheModule } from '../cache/cache.module';
import { ConversationsModule } from '../conversations/conversations.module';
import { MetricsModule } from '../metrics/metrics.module';
import { ToolsModule } from '../tools/tools.module';
import { ToolExecutor } from '../tools/execution/tool-executor.service';
import { AgentCompletionController } from './agent-completion.controller';
import { ModelsController } from './models.controller';
import { OpenAiCompletionController } from './openai-completion.controller';
import { AfterAnswer } from './pipeline/after-answer.service';
import { BackgroundTasks } from './pipeline/background-tasks';
import { CompletionPipeline } from './pipeline/completion-pipeline.service';
import { JobBuilder } from './pipeline/job-builder.service';
import { ModelRunner } from './pipeline/model-runner';
import {
  AgentsAdapter,
  CallLogsAdapter,
  ConversationsAdapter,
  MetricsAdapter,
  ToolsAdapter,
} from './pipeline/port-adapters';
import { AgentSource, CallLogSink, ThreadStore, ToolSource, UsageSink } from './pipeline/ports';

/**
 * The two completion endpoints and the pipeline behind them. ProvidersService comes from the
 * global ProvidersModule.forRoot() in the root module.
 */
@Module({
  imports: [AgentsModule, ToolsModule, ConversationsModule, MetricsModule, ResponseCacheModule],
  controllers: [AgentCompletionController, OpenAiCompletionController, ModelsController],
  providers: [
    CompletionPipeline,
    JobBuilder,
    ModelRunner,
    AfterAnswer,
    BackgroundTasks,
    ToolExecutor,
    { provide: AgentSource, useClass: AgentsAdapter },
    { provide: ToolSource, useClass: ToolsAdapter },
    { provide: ThreadStore, useClass: ConversationsAdapter },
    { provide: CallLogSink, useClass: CallLogsAdapter },
    { provide: UsageSink, useClass: MetricsAdapter },
  ],
  exports: [CompletionPipeline, JobBuilder, BackgroundTasks],
})
export class CompletionsModule {}
