import { decodeCursor, decodeTimeIdCursor, encodeCursor, pageSize, toPage } from './cursor';

describe('cursors', () => {
  it('round-trips a keyset position', () => {
    const c = encodeCursor(['2026-01-01T00:00:00.000Z', 'xch_a', 3]);
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(c, ['string', 'string', 'number'])).toEqual([
      '2026-01-01T00:00:00.000Z',
      'xch_a',
      3,
    ]);
  });

  it.each([
    ['garbage', 'not base64 json!'],
    ['wrong arity', encodeCursor(['a'])],
    ['wrong types', encodeCursor([1, 'a'])],
  ])('rejects %s with a 400', (_label, cursor) => {
    expect(() => decodeCursor(cursor, ['string', 'string'])).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', status: 400 }),
    );
  });

  it('rejects a time cursor whose time is not a date', () => {
    expect(() => decodeTimeIdCursor(encodeCursor(['yesterday', 'id']))).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });

  // Each of these reached PostgreSQL and came back as a 500 before.
  it.each([
    ['a NUL in a string', ['2026-01-01T00:00:00.000Z', 'a\u0000b', 1]],
    ['a lone surrogate', ['2026-01-01T00:00:00.000Z', '\ud800', 1]],
    ['a position beyond an integer column', ['2026-01-01T00:00:00.000Z', 'x', 2 ** 31]],
    ['a huge position', ['2026-01-01T00:00:00.000Z', 'x', 1e308]],
    ['a negative position', ['2026-01-01T00:00:00.000Z', 'x', -1]],
    ['a fractional position', ['2026-01-01T00:00:00.000Z', 'x', 1.5]],
    ['a time before year 1', ['-271821-04-20T00:00:00.000Z', 'x', 1]],
    ['a time after year 9999', ['+275760-09-13T00:00:00.000Z', 'x', 1]],
    ['a NUL in the time', ['2026-01-01\u0000', 'x', 1]],
  ])('rejects %s with a 400', (_label, key) => {
    expect(() => decodeCursor(encodeCursor(key), ['time', 'string', 'number'])).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', status: 400 }),
    );
  });

  it('accepts the edges of the ranges', () => {
    const key = ['0001-01-01T00:00:00.000Z', 'x', 2 ** 31 - 1];
    expect(decodeCursor(encodeCursor(key), ['time', 'string', 'number'])).toEqual(key);
  });

  it('clamps page sizes', () => {
    expect(pageSize(undefined)).toBe(50);
    expect(pageSize(0)).toBe(1);
    expect(pageSize(1000)).toBe(200);
  });

  it('gives a next cursor only when a further row exists', () => {
    const key = (n: number) => ['t', String(n)];
    expect(toPage([1, 2], 2, key).next_cursor).toBeNull();
    const page = toPage([1, 2, 3], 2, key);
    expect(page.items).toEqual([1, 2]);
    expect(decodeCursor(page.next_cursor!, ['string', 'string'])).toEqual(['t', '2']);
  });
});
