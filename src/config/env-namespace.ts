import type { FactoryProvider } from '@nestjs/common';

/**
 * The validated environment given to `AppModule.forRoot` (global, from `AppConfigModule`). The
 * config namespaces are built from it, never from `process.env`, so two apps with different
 * environments can run in one process at the same time.
 */
export const APP_ENV = Symbol('APP_ENV');

/**
 * A typed slice of the validated environment: call it with the env to build the slice, inject
 * the slice with `@Inject(ns.KEY) cfg: ConfigType<typeof ns>`.
 */
export type EnvNamespace<E, T> = ((env: E) => T) & { readonly KEY: string };

/** `KEY` keeps @nestjs/config's token format, so the tokens read as before in Nest's errors. */
export function envNamespace<E, T>(name: string, build: (env: E) => T): EnvNamespace<E, T> {
  return Object.assign((env: E) => build(env), { KEY: `CONFIGURATION(${name})` });
}

/** The namespace as a provider, built from APP_ENV; a feature module lists its own namespace. */
export function provideNamespace<E, T>(ns: EnvNamespace<E, T>): FactoryProvider<T> {
  return { provide: ns.KEY, inject: [APP_ENV], useFactory: (env: E) => ns(env) };
}
