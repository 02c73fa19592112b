import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter';
import { GatewayLoggerModule } from './common/logging/logger.module';
import { createValidationPipe } from './common/pipes/validation.pipe';
import type { AppEnv } from './app.env';
import { SQL_SCHEMA } from './app.schema';
import { AppConfigModule } from './config';
import { InfraModule } from './infra/infra.module';
import { AuthGuard, AuthModule } from './modules/auth';
import { AgentRateLimitsAdapter, AgentsModule } from './modules/agents';
import { BudgetsModule, SpendBudgetGuard } from './modules/budgets';
import { CatalogOverridesModule } from './modules/catalog-overrides';
import { CompletionsModule } from './modules/completions';
import { EmbeddingsModule } from './modules/embeddings';
import { ConfigWatcherModule } from './modules/config-watcher';
import { ProvidersModule } from './modules/providers';
import { EgressModule } from './common/egress';
import { ConversationsModule } from './modules/conversations';
import { MetricsModule } from './modules/metrics';
import { MonitoringModule } from './modules/monitoring';
import { QueueModule } from './modules/queue';
import { ProviderKeysModule, StoredProviderKeyResolver } from './modules/provider-keys';
import { ResponsesModule } from './modules/responses';
import { SettingsModule } from './modules/settings';
import { RateLimitGuard, ThrottlingModule } from './modules/throttling';
import { ToolsModule } from './modules/tools';
import { TracingModule } from './modules/tracing';

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
        AppConfigModule.forRoot(env),
        GatewayLoggerModule,
        InfraModule.forRoot(env, SQL_SCHEMA),
        ConfigWatcherModule,
        SettingsModule,
        CatalogOverridesModule,
        MonitoringModule,
        TracingModule.forRoot(env),
        AuthModule,
        ThrottlingModule.forRoot({
          imports: [AgentsModule],
          agentRateLimits: AgentRateLimitsAdapter,
        }),
        BudgetsModule,
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
      ],
      providers: [
        AllExceptionsFilter,
        { provide: APP_FILTER, useExisting: AllExceptionsFilter },
        // In this order: authentication first, then the limits, which need the principal.
        { provide: APP_GUARD, useExisting: AuthGuard },
        { provide: APP_GUARD, useExisting: RateLimitGuard },
        // Dollar budgets and model allowlists, after the request limits.
        { provide: APP_GUARD, useExisting: SpendBudgetGuard },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
