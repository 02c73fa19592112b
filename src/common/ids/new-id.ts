import { randomBytes } from 'node:crypto';

/** Ids drawn per call to the CSPRNG; one call per id cost more than building the id. */
const POOL_IDS = 256;
const ID_BYTES = 16;

let pool = Buffer.alloc(0);
let offset = 0;

/**
 * A public record id: `<prefix>_` + 128 random bits (base64url, 22 characters). Stored as the
 * primary key in both stores, so no database-internal id (e.g. a Mongo ObjectId) ever leaks.
 * The random bytes come from the CSPRNG in batches (as `crypto.randomUUID` does); each byte is
 * used once.
 */
export function newId(prefix: string): string {
  if (offset + ID_BYTES > pool.length) {
    pool = randomBytes(POOL_IDS * ID_BYTES);
    offset = 0;
  }
  const id = pool.toString('base64url', offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return `${prefix}_${id}`;
}
