/** The providers module's public surface; other modules import from here only. */
export * from './provider.types';
export { ProvidersModule, type ProvidersModuleOptions } from './providers.module';
export {
  providersConfig,
  providersEnvFields,
  serviceEnvKeys,
  type ServiceEndpoint,
} from './providers.config';
export { ProvidersService } from './providers.service';
export { ModelCatalogService } from './catalog/model-catalog.service';
export type {
  CatalogListing,
  CatalogOverrides,
  ModelEntry,
  ModelFeatures,
  ModelPricing,
  ParamSpec,
} from './catalog/catalog.types';
export { ProviderKeyResolver, type ResolvedProviderKey } from './provider-key.resolver';
export { ThinkingCollector } from './thinking';
export { type ModelRef, parseModelRef } from './model-ref';
export { tenantBaseUrlProblem, displayBaseUrl } from './tenant-base-url';
export { emptyUsage } from './adapters/usage';
