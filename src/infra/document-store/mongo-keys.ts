/**
 * Object keys that MongoDB-compatible stores refuse in a document: FerretDB (and Azure Cosmos
 * DB, Amazon DocumentDB) refuse a key starting with `$` or containing `.`, although a JSON
 * Schema needs `$schema`, `$ref` and `$defs` and a model configuration may name anything.
 * Such keys are stored escaped and given back as they were sent.
 *
 * An escaped key starts with U+E000 (a private-use character no API key name carries) and
 * spells `%`, `$` and `.` as `%25`, `%24` and `%2E`; every other key is stored unchanged, so
 * documents written before this existed read back the same.
 */
const MARK = '\ue000';
const NEEDS_ESCAPE = /^\$|\.|^\ue000/;

const escapeKey = (key: string): string =>
  NEEDS_ESCAPE.test(key)
    ? MARK + key.replace(/%/g, '%25').replace(/\$/g, '%24').replace(/\./g, '%2E')
    : key;

const CODES: Record<string, string> = { '%25': '%', '%24': '$', '%2E': '.' };

const unescapeKey = (key: string): string =>
  key.startsWith(MARK) ? key.slice(1).replace(/%(25|24|2E)/g, (m) => CODES[m]) : key;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' &&
  v !== null &&
  (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

function mapKeys(value: unknown, rename: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => mapKeys(v, rename));
  // Dates, buffers, ObjectIds and other class instances are values, not maps.
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[rename(key)] = mapKeys(v, rename);
  return out;
}

/** `value` with every key a document may not hold escaped, at any depth. */
export const toMongoKeys = <T>(value: T): T => mapKeys(value, escapeKey) as T;

/** The inverse of `toMongoKeys`. */
export const fromMongoKeys = <T>(value: T): T => mapKeys(value, unescapeKey) as T;
