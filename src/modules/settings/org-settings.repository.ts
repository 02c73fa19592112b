import type { OrgSettings, OrgSettingsFields } from './org-settings.types';

/**
 * Port (and DI token) for per-org settings; bound to the MongoDB or Postgres adapter by
 * `provideRepository`. One record per org, created on first write.
 */
export abstract class OrgSettingsRepository {
  abstract get(orgId: string): Promise<OrgSettings | undefined>;
  /** Creates the org's record or replaces its fields; returns the stored record. */
  abstract upsert(orgId: string, fields: OrgSettingsFields): Promise<OrgSettings>;
}
