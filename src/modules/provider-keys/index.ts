/** The provider-keys module's public surface; other modules import from here only. */
export { ProviderKeysModule } from './provider-keys.module';
export { StoredProviderKeyResolver } from './stored-provider-key.resolver';
export { ProviderKeyEntity } from './postgres/provider-key.entity';
export { ProviderKeyPools1795709400000 } from './postgres/1795709400000-ProviderKeyPools';
