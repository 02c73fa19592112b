import { ArgumentValidator } from '../execution/argument-validator';
import type { ExecutableTool } from '../execution/executable-tool';
import { parametersProblem } from '../tool-parameters';
import { linearRegExp } from './linear-regexp';
import { compileToolSchema } from './tool-schema';

const stringWithPattern = (pattern: string) => ({
  type: 'object',
  properties: { s: { type: 'string', pattern } },
});

describe('linearRegExp (Ajv pattern engine)', () => {
  it('matches like JavaScript on ordinary patterns', () => {
    const cases: Array<[string, string, boolean]> = [
      ['^[A-Z]{3}-\\d{2}$', 'ABC-12', true],
      ['^[A-Z]{3}-\\d{2}$', 'abc-12', false],
      ['\\w+@\\w+\\.com', 'mail me at a@b.com please', true],
      ['^(?<year>\\d{4})-\\d{2}$', '2024-05', true],
      ['^\\u00e9t\\u00e9$', 'été', true],
      ['^a/b$', 'a/b', true],
      ['colou?r', 'color', true],
    ];
    for (const [pattern, input, expected] of cases) {
      expect([pattern, input, linearRegExp(pattern, 'u').test(input)]).toEqual([
        pattern,
        input,
        expected,
      ]);
      expect(new RegExp(pattern, 'u').test(input)).toBe(expected);
    }
  });

  it('runs the catastrophic-backtracking patterns in linear time', () => {
    for (const pattern of ['^(a+)+$', '^(a|a)*$', '^(a|aa)+$', '^(\\w+\\s?)*$']) {
      const re = linearRegExp(pattern, 'u');
      const started = performance.now();
      expect(re.test(`${'a'.repeat(5000)}!`)).toBe(false);
      expect(performance.now() - started).toBeLessThan(1_000);
    }
  });

  it('names the pattern in toString (Ajv deduplicates compiled patterns by it)', () => {
    expect(String(linearRegExp('^a$', 'u'))).not.toBe(String(linearRegExp('^b$', 'u')));
  });

  it('refuses what RE2 cannot run in linear time (backreferences, lookaround)', () => {
    for (const pattern of ['^(a+)\\1$', '^(?=a)a$', '^(?!a)b$']) {
      expect(() => linearRegExp(pattern, 'u')).toThrow();
    }
  });
});

describe('compileToolSchema', () => {
  it('uses the linear engine for pattern and patternProperties', () => {
    const validate = compileToolSchema(
      {
        type: 'object',
        properties: { s: { type: 'string', pattern: '^(a+)+$' } },
        patternProperties: { '^(x+)+$': { type: 'number' } },
        propertyNames: { pattern: '^(s|(x+)+)$' },
      },
      { checkSchema: true },
    );
    const started = performance.now();
    expect(validate({ s: `${'a'.repeat(30)}!` })).toBe(false);
    expect(validate({ [`${'x'.repeat(30)}`]: 'not a number' })).toBe(false);
    expect(validate({ [`${'x'.repeat(30)}!`]: 1 })).toBe(false);
    expect(validate({ s: 'aaa', xx: 1 })).toBe(true);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('shares no $id registry between compiles (same $id twice, different schemas)', () => {
    const a = compileToolSchema(
      { $id: 'https://x.example/args', type: 'object', properties: { v: { type: 'string' } } },
      { checkSchema: true },
    );
    const b = compileToolSchema(
      { $id: 'https://x.example/args', type: 'object', properties: { v: { type: 'number' } } },
      { checkSchema: true },
    );
    expect(a({ v: 'x' })).toBe(true);
    expect(b({ v: 'x' })).toBe(false);
    expect(b({ v: 1 })).toBe(true);
  });

  it("resolves a schema's own $ref but refuses a remote one", () => {
    const local = compileToolSchema(
      {
        $id: 'https://x.example/args',
        type: 'object',
        definitions: { city: { type: 'string' } },
        properties: { city: { $ref: '#/definitions/city' } },
      },
      { checkSchema: true },
    );
    expect(local({ city: 1 })).toBe(false);
    expect(() =>
      compileToolSchema(
        { type: 'object', properties: { x: { $ref: 'https://evil.example/schema.json' } } },
        { checkSchema: true },
      ),
    ).toThrow(/resolve reference/);
  });
});

describe('parametersProblem with tenant patterns', () => {
  it('accepts a super-linear-looking pattern (it runs in linear time) and refuses a backreference', () => {
    expect(parametersProblem(stringWithPattern('^(a+)+$'))).toBeUndefined();
    expect(parametersProblem(stringWithPattern('^(a+)\\1$'))).toMatch(/linear-time engine/);
  });
});

describe('ArgumentValidator', () => {
  const tool = (over: Partial<ExecutableTool>): ExecutableTool => ({
    id: 'tool_1',
    org_id: 'org-a',
    name: 't',
    url: 'https://tools.example.com',
    method: 'POST',
    headers: {},
    timeout_ms: 1000,
    version: 'v1',
    parameters: { type: 'object', properties: { v: { type: 'string' } }, required: ['v'] },
    ...over,
  });

  it('compiles per (org, tool, version): a new version gets the new schema', () => {
    const v = new ArgumentValidator();
    expect(v.check(tool({}), '{"v":"x"}').ok).toBe(true);
    const edited = tool({
      version: 'v2',
      parameters: { type: 'object', properties: { v: { type: 'number' } } },
    });
    expect(v.check(edited, '{"v":"x"}')).toMatchObject({ ok: false });
    expect(v.check(edited, '{"v":2}').ok).toBe(true);
  });

  it('reports a stored schema that no longer compiles as the tool error, never throws', () => {
    const v = new ArgumentValidator();
    const legacy = tool({ parameters: stringWithPattern('^(a+)\\1$') });
    const res = v.check(legacy, '{"s":"aa"}');
    expect(res).toMatchObject({ ok: false });
    expect(!res.ok && res.message).toMatch(/parameters schema cannot be used/);
  });
});
