import type { StoredProviderKeyFields } from './provider-key.types';

/**
 * The 409 of a clashing write. Several keys per org and service are allowed, so only a record
 * id can clash (an id chosen by a caller, e.g. a migration script).
 */
export const duplicateProviderKeyMessage = (_f: Partial<StoredProviderKeyFields>): string =>
  'A provider key with this id already exists';
