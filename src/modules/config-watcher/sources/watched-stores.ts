import type { ConfigKind } from '../events/config-change';

/**
 * Where each kind of stored configuration lives: the MongoDB collection and the Postgres table
 * (the same name in both stores). The owners' schemas define them; the watcher only reads ids.
 */
export const STORE_OF_KIND: Readonly<Record<ConfigKind, string>> = {
  agent: 'agents',
  tool: 'tools',
  provider_key: 'provider_keys',
  api_key: 'api_keys',
  org_settings: 'org_settings',
  catalog: 'catalog_overrides',
  budget_policy: 'budget_policies',
};

export const KIND_OF_STORE: ReadonlyMap<string, ConfigKind> = new Map(
  Object.entries(STORE_OF_KIND).map(([kind, store]) => [store, kind as ConfigKind]),
);

/** MongoDB collection of changes the polling source cannot see otherwise (deletes). */
export const CHANGE_LOG_COLLECTION = 'config_changes';

/** Postgres NOTIFY channel the triggers of the config-watcher migration publish on. */
export const NOTIFY_CHANNEL = 'aimw_config_changes';
