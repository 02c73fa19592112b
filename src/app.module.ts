import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter';
import { GatewayLoggerModule } from './common/logging/logger.module';
import { createValidationPipe } from './common/pipes/validation.pipe';
import { type AppEnv, parseAppEnv } from './app.env';
import { AppConfigModule } from './config';
import { InfraModule } from './infra/infra.module';
import { AuthGuard } from './modules/auth/auth.guard';
import { AgentsModule } from './modules/agents/agents.module';
import { AuthModule } from './modules/auth/auth.module';
import { CompletionsModule } from './modules/completions/completions.module';
import { EmbeddingsModule } from './modules/embeddings/embeddings.module';
import { ConfigWatcherModule } from './modules/config-watcher';
import { ProvidersModule } from './modules/providers';
import { EgressModule } from './common/egress';
import { ConversationsModule } from './modules/conversations/conversations.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { MonitoringModule } from './modules/monitoring/monitoring.module';
import { CompletionJobsModule, QueueModule } from './modules/queue';
import { ProviderKeysModule } from './modules/provider-keys/provider-keys.module';
import { ResponsesModule } from './modules/responses';
import { RateLimitGuard, ThrottlingModule } from './modules/throttling';
import { ToolsModule } from './modules/tools/tools.module';
import { AgentRateLimitsAdapter } from './modules/agents/agent-rate-limits.adapter';
import { StoredProviderKeyResolver } from './modules/provider-keys/stored-provider-key.resolver';

/**
 * The composition root. Built from the validated environment so that which connections exist
 * is decided once, from config, never at import time. Global guard, filter and pipe are APP_*
 * providers (pointing at injectable classes) so tests can override them.
 */
@Module({})
export class AppModule {
  static forRoot(env: AppEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(parseAppEnv),
        GatewayLoggerModule,
        InfraModule.forRoot(env),
        ConfigWatcherModule,
        MonitoringModule,
        AuthModule,
        ThrottlingModule.forRoot({
          imports: [AgentsModule],
          agentRateLimits: AgentRateLimitsAdapter,
        }),
        MetricsModule,
        ToolsModule,
        AgentsModule,
        ConversationsModule,
        ResponsesModule,
        ProviderKeysModule,
        EgressModule,
        ProvidersModule.forRoot({
          keyResolver: StoredProviderKeyResolver,
          imports: [ProviderKeysModule],
        }),
        CompletionsModule,
        EmbeddingsModule,
        QueueModule,
        CompletionJobsModule,
      ],
      providers: [
        AllExceptionsFilter,
        { provide: APP_FILTER, useExisting: AllExceptionsFilter },
        // In this order: authentication first, then the limits, which need the principal.
        { provide: APP_GUARD, useExisting: AuthGuard },
        { provide: APP_GUARD, useExisting: RateLimitGuard },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
