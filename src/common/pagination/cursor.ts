import { AppException, ErrorCode } from '../errors';

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
 * Decodes a cursor made by `encodeCursor` and checks its shape against `kinds`; anything else
 * is the client's mistake (400), never a 500.
 */
export function decodeCursor(cursor: string, kinds: ReadonlyArray<'string' | 'number'>): CursorKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const ok =
    Array.isArray(parsed) &&
    parsed.length === kinds.length &&
    parsed.every((v, i) => typeof v === kinds[i]);
  if (!ok) {
    throw new AppException(ErrorCode.VALIDATION_FAILED, 'cursor is invalid or expired', {
      param: 'cursor',
    });
  }
  return parsed as CursorKey;
}

/** Decodes a (created_at, id) cursor, the default order of every listable record. */
export function decodeTimeIdCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = decodeCursor(cursor, ['string', 'string']) as [string, string];
  const createdAt = new Date(at);
  if (Number.isNaN(createdAt.getTime())) {
    throw new AppException(ErrorCode.VALIDATION_FAILED, 'cursor is invalid or expired', {
      param: 'cursor',
    });
  }
  return { createdAt, id };
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
