import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter';
import { GatewayLoggerModule } from './common/logging/logger.module';
import { createValidationPipe } from './common/pipes/validation.pipe';
import { AppConfigModule, type Env } from './config';
import { InfraModule } from './infra/infra.module';
import { AuthGuard } from './modules/auth/auth.guard';
import { AuthModule } from './modules/auth/auth.module';
import { CompletionsModule } from './modules/completions/completions.module';
import { MonitoringModule } from './modules/monitoring/monitoring.module';

/**
 * The composition root. Built from the validated environment so that which connections exist
 * is decided once, from config, never at import time. Global guard, filter and pipe are APP_*
 * providers (pointing at injectable classes) so tests can override them.
 */
@Module({})
export class AppModule {
  static forRoot(env: Env): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(),
        GatewayLoggerModule,
        InfraModule.forRoot(env),
        MonitoringModule,
        AuthModule,
        CompletionsModule,
      ],
      providers: [
        AllExceptionsFilter,
        { provide: APP_FILTER, useExisting: AllExceptionsFilter },
        { provide: APP_GUARD, useExisting: AuthGuard },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
