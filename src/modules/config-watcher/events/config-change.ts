/**
 * What a stored-configuration change looks like to the caches that hold copies of it. Events
 * name the record, never its content: a cache drops its copy and reads the store again.
 */
export const CONFIG_KINDS = [
  'agent',
  'tool',
  'provider_key',
  'api_key',
  'org_settings',
  'catalog',
  'budget_policy',
] as const;

export type ConfigKind = (typeof CONFIG_KINDS)[number];

export interface ConfigChange {
  kind: ConfigKind;
  /**
   * The record's org. Null when the source cannot tell (a MongoDB change-stream delete only
   * carries the id) or the record is deployment-wide (the catalog): caches then drop the id in
   * every org. Ids are random and globally unique, so that never drops a wrong record.
   */
  org_id: string | null;
  id: string;
  op: 'upsert' | 'delete';
}

/**
 * `change`: one record changed. `resync`: changes may have been missed (a watcher reconnected,
 * the relay lost messages), so every cache must drop everything it holds.
 */
export type ConfigEvent =
  | { type: 'change'; change: ConfigChange; origin: 'local' | 'remote' }
  | { type: 'resync'; reason: string };

export function isConfigKind(v: unknown): v is ConfigKind {
  return typeof v === 'string' && (CONFIG_KINDS as readonly string[]).includes(v);
}

/** Checks a change that arrived from outside the process (NOTIFY payload, Redis message). */
export function parseConfigChange(raw: unknown): ConfigChange | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (!isConfigKind(r.kind) || typeof r.id !== 'string' || r.id === '') return undefined;
  const org = typeof r.org_id === 'string' && r.org_id !== '' ? r.org_id : null;
  return { kind: r.kind, org_id: org, id: r.id, op: r.op === 'delete' ? 'delete' : 'upsert' };
}
