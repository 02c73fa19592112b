import { AppException, ErrorCode } from '../errors';
import { unsafeStringKind } from '../validation/json-guard';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export interface PageRequest {
  limit?: number;
  /** Opaque cursor from a previous page's `next_cursor`. */
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  next_cursor: string | null;
}

/** A keyset position: the sort values of the last item returned. */
export type CursorKey = Array<string | number>;

/** Encodes a keyset position as an opaque, URL-safe string. */
export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * What a cursor position may hold: strings a store can compare (no NUL, which PostgreSQL
 * refuses, no lone surrogate), times every store can represent (PostgreSQL refuses the year
 * -271821 that JavaScript accepts) and numbers that are positions (non-negative integers
 * within a PostgreSQL `integer`). A cursor is client input like any other.
 */
export type CursorKind = 'string' | 'time' | 'number';

const MAX_POSITION = 2_147_483_647;
const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

function isCursorValue(v: unknown, kind: CursorKind): boolean {
  if (kind === 'number') {
    return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_POSITION;
  }
  if (typeof v !== 'string' || unsafeStringKind(v) !== undefined) return false;
  if (kind === 'string') return true;
  const t = new Date(v).getTime();
  return t >= EARLIEST && t <= LATEST;
}

const invalidCursor = () =>
  new AppException(ErrorCode.VALIDATION_FAILED, 'cursor is invalid or expired', {
    param: 'cursor',
  });

/**
 * Decodes a cursor made by `encodeCursor` and checks its shape against `kinds`; anything else
 * is the client's mistake (400), never a 500.
 */
export function decodeCursor(cursor: string, kinds: readonly CursorKind[]): CursorKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const ok =
    Array.isArray(parsed) &&
    parsed.length === kinds.length &&
    parsed.every((v, i) => isCursorValue(v, kinds[i]));
  if (!ok) throw invalidCursor();
  return parsed as CursorKey;
}

/** Decodes a (created_at, id) cursor, the default order of every listable record. */
export function decodeTimeIdCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = decodeCursor(cursor, ['time', 'string']) as [string, string];
  return { createdAt: new Date(at), id };
}

export function pageSize(limit: number | undefined): number {
  return Math.min(Math.max(limit ?? DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
}

/**
 * Given up to `size + 1` rows in order, returns the page and the cursor of its last row when a
 * further row exists (the extra row is how we know, without a count query).
 */
export function toPage<T>(rows: T[], size: number, keyOf: (row: T) => CursorKey): Page<T> {
  const items = rows.slice(0, size);
  const more = rows.length > size && items.length > 0;
  return { items, next_cursor: more ? encodeCursor(keyOf(items[items.length - 1])) : null };
}

/** The cursor key of a record listed by (created_at, id). */
export const timeIdKey = (r: { created_at: Date; id: string }): CursorKey => [
  r.created_at.toISOString(),
  r.id,
];
