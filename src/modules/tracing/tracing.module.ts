import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { provideNamespace } from '../../config';
import { RequestSpanContext, RequestSpans } from './request-spans';
import { Telemetry } from './telemetry';
import { tracingSettings, tracingConfig, type TracingEnv } from './tracing.config';

/**
 * OpenTelemetry traces and metrics over OTLP/HTTP. Global: the providers module records its
 * calls through `Telemetry` without importing this module. The env decides, once, whether the
 * request-span interceptor exists at all; off, the app carries one disabled `Telemetry`.
 */
@Global()
@Module({})
export class TracingModule {
  static forRoot(env: TracingEnv): DynamicModule {
    const providers: Provider[] = [provideNamespace(tracingConfig), Telemetry];
    if (tracingSettings(env).enabled) {
      providers.push(RequestSpans, RequestSpanContext, {
        provide: APP_INTERCEPTOR,
        useExisting: RequestSpanContext,
      });
    }
    return { module: TracingModule, providers, exports: [Telemetry] };
  }
}
