import {
  type DynamicModule,
  Module,
  type ModuleMetadata,
  type Provider,
  type Type,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { provideNamespace } from '../../config';
import { providersConfig } from './providers.config';
import { AdapterRegistry } from './adapters/adapter.registry';
import { ModelCatalogService } from './catalog/model-catalog.service';
import { ClientPool } from './client-pool';
import { NoOrgKeysResolver, ProviderKeyResolver } from './provider-key.resolver';
import { ProvidersService } from './providers.service';
import { CircuitBreakerRegistry } from './resilience/circuit-breaker';
import {
  DEFAULT_RESILIENCE,
  RESILIENCE_OPTIONS,
  type ResilienceOptions,
} from './resilience/resilience.options';
import { ResilientExecutor } from './resilience/resilient-executor';

const CORE: Provider[] = [
  provideNamespace(providersConfig),
  ClientPool,
  AdapterRegistry,
  ModelCatalogService,
  CircuitBreakerRegistry,
  ResilientExecutor,
  ProvidersService,
  {
    provide: RESILIENCE_OPTIONS,
    inject: [providersConfig.KEY],
    useFactory: (cfg: ConfigType<typeof providersConfig>): ResilienceOptions => ({
      ...DEFAULT_RESILIENCE,
      timeoutMs: cfg.timeoutMs,
      maxRetries: cfg.maxRetries,
      breakerWindowMs: cfg.breaker.windowMs,
      breakerMinCalls: cfg.breaker.minCalls,
      breakerFailureRate: cfg.breaker.failureRate,
      breakerMinTenants: cfg.breaker.minTenants,
      breakerCooldownMs: cfg.breaker.cooldownMs,
      keyCooldownMs: cfg.keyCooldownMs,
      keyCooldownMaxMs: cfg.keyCooldownMaxMs,
    }),
  },
];
const EXPORTS = [ProvidersService, ModelCatalogService, ProviderKeyResolver];

export interface ProvidersModuleOptions {
  /** Where org keys come from (default: none, deployment keys only). */
  keyResolver?: Type<ProviderKeyResolver>;
  /** Modules the resolver's own dependencies come from. */
  imports?: ModuleMetadata['imports'];
}

/**
 * LLM providers: adapters, model catalog, resilience. Provides its own config namespace
 * (`providersConfig`, keys in `providers.config.ts`) from the app's validated environment
 * (APP_ENV). Import it plainly for deployment keys only, or once, in the root module,
 * as `ProvidersModule.forRoot({ keyResolver, imports })` to plug in org keys: that form is
 * global, so feature modules then inject ProvidersService without importing this module again
 * (a second, plain import would create a second set of clients and circuit breakers).
 */
@Module({
  providers: [...CORE, { provide: ProviderKeyResolver, useClass: NoOrgKeysResolver }],
  exports: EXPORTS,
})
export class ProvidersModule {
  static forRoot(options: ProvidersModuleOptions = {}): DynamicModule {
    return {
      module: ProvidersModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        ...CORE,
        { provide: ProviderKeyResolver, useClass: options.keyResolver ?? NoOrgKeysResolver },
      ],
      exports: EXPORTS,
    };
  }
}
