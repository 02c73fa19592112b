import { randomBytes } from 'node:crypto';

/**
 * A public record id: `<prefix>_` + 128 random bits (base64url, 22 characters). Stored as the
 * primary key in both stores, so no database-internal id (e.g. a Mongo ObjectId) ever leaks.
 */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(16).toString('base64url')}`;
}
