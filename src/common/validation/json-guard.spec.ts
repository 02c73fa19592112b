import { findJsonProblem, MAX_JSON_DEPTH, unsafeStringKind } from './json-guard';

const nest = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

describe('findJsonProblem', () => {
  const opts = { maxDepth: MAX_JSON_DEPTH };

  it('accepts ordinary bodies', () => {
    expect(
      findJsonProblem(
        { model: 'm', messages: [{ role: 'user', content: 'hé 😀' }], n: 1, x: null },
        opts,
      ),
    ).toBeUndefined();
  });

  it('caps nesting without recursion, at exactly maxDepth levels', () => {
    expect(findJsonProblem(nest(MAX_JSON_DEPTH), opts)).toBeUndefined();
    expect(findJsonProblem(nest(MAX_JSON_DEPTH + 1), opts)).toMatchObject({ kind: 'depth' });
    // Far deeper than any recursive walk survives: still a plain answer.
    expect(findJsonProblem(nest(200_000), opts)).toMatchObject({
      kind: 'depth',
      message: expect.stringContaining('nests deeper than 64 levels'),
    });
  });

  it('counts values against maxNodes', () => {
    expect(findJsonProblem(new Array(100).fill(0), { ...opts, maxNodes: 101 })).toBeUndefined();
    expect(findJsonProblem(new Array(101).fill(0), { ...opts, maxNodes: 101 })).toMatchObject({
      kind: 'size',
    });
    const keys = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i]));
    expect(findJsonProblem({ keys }, { ...opts, maxNodes: 150 })).toMatchObject({ kind: 'size' });
  });

  it.each([
    [{ a: [{ b: 'x\u0000' }] }, 'nul', 'a[0].b'],
    [{ a: { 'k\u0000': 1 } }, 'nul', 'a.k\u0000'],
    [{ t: 'x\ud800y' }, 'surrogate', 't'],
    [{ t: ['\udfff'] }, 'surrogate', 't[0]'],
    [JSON.parse('{"a":{"__proto__":{"admin":true}}}'), 'forbidden-key', 'a.__proto__'],
    [{ s: { constructor: 1 } }, 'forbidden-key', 's.constructor'],
    [{ prototype: {} }, 'forbidden-key', 'prototype'],
  ])('finds %j: %s at %s', (value, kind, path) => {
    expect(findJsonProblem(value, opts)).toMatchObject({ kind, path });
  });

  it('names the root as told', () => {
    expect(findJsonProblem('a\u0000', { ...opts, root: 'cursor' })).toMatchObject({
      message: 'cursor contains a NUL character (U+0000), which cannot be stored',
    });
  });

  it('skips string checks when the JSON text has no \\u escape', () => {
    // Raw NUL cannot appear in JSON text; without an escape the strings are clean.
    expect(findJsonProblem({ a: 'x\u0000' }, { ...opts, raw: '{"a":"x"}' })).toBeUndefined();
    expect(findJsonProblem({ a: 'x\u0000' }, { ...opts, raw: '{"a":"x\\u0000"}' })).toMatchObject({
      kind: 'nul',
    });
  });
});

describe('unsafeStringKind', () => {
  it('tells NUL and lone surrogates from well-formed text', () => {
    expect(unsafeStringKind('plain 😀')).toBeUndefined();
    expect(unsafeStringKind('\u0000')).toBe('nul');
    expect(unsafeStringKind('\ud83d')).toBe('surrogate');
    expect(unsafeStringKind('\ude00\ud83d')).toBe('surrogate');
  });
});
