import { DynamicModule, Module } from '@nestjs/common';
import type { Env } from './env.schema';
import { APP_ENV, provideNamespace } from './env-namespace';
import { allConfigNamespaces } from './namespaces';

/**
 * The configuration of one app: the validated environment it was given (APP_ENV) and the core
 * namespaces built from it, all global. Validation happens before, once, where the environment
 * is read (the entry point, or a test handing its own env); nothing here reads `process.env`.
 * `env` is the composed environment (core keys plus the feature modules' fragments), so feature
 * namespaces (`provideNamespace`) find their keys in APP_ENV too.
 */
@Module({})
export class AppConfigModule {
  static forRoot(env: Env): DynamicModule {
    const namespaces = allConfigNamespaces.map((ns) => provideNamespace(ns));
    return {
      module: AppConfigModule,
      global: true,
      providers: [{ provide: APP_ENV, useValue: env }, ...namespaces],
      exports: [APP_ENV, ...namespaces.map((p) => p.provide)],
    };
  }
}
