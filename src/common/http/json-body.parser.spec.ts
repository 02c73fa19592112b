import { parseJsonBody } from './json-body.parser';

const nested = (n: number) => `{"a":${'['.repeat(n - 1)}${']'.repeat(n - 1)}}`;

describe('parseJsonBody', () => {
  it('parses JSON, with or without a byte order mark', () => {
    expect(parseJsonBody('{"a":[1,"x"]}')).toEqual({ a: [1, 'x'] });
    expect(parseJsonBody(Buffer.from('\ufeff{"a":1}'))).toEqual({ a: 1 });
  });

  it.each([
    ['a short body', 64, 65],
    ['a long body (measured before parsing)', 64, 3000],
  ])('caps nesting at 64 levels in %s', (_label, ok, tooDeep) => {
    expect(() => parseJsonBody(nested(ok))).not.toThrow();
    expect(() => parseJsonBody(nested(tooDeep))).toThrow(
      expect.objectContaining({ status: 400, message: expect.stringMatching(/deeper than 64/) }),
    );
  });

  it('caps the number of values in short and long bodies alike', () => {
    const values = (n: number) => `[${new Array(n).fill('0').join(',')}]`;
    expect(() => parseJsonBody(values(49_999))).not.toThrow();
    expect(() => parseJsonBody(values(50_000))).toThrow(/more than 50000 values/);
    const keys = `{${Array.from({ length: 50_001 }, (_, i) => `"${i}":0`).join(',')}}`;
    expect(() => parseJsonBody(keys)).toThrow(/more than 50000 values/);
  });

  const pad = `"pad":"${'x'.repeat(5000)}"`;
  it.each([
    ['a NUL', '{"a":"x\\u0000"}', /a contains a NUL/],
    ['a lone surrogate', `{${pad},"a":["\\ud800"]}`, /a\[0\] contains an unpaired/],
    ['__proto__', '{"__proto__":{"admin":true}}', /"__proto__"/],
    ['constructor', `{${pad},"c":{"constructor":1}}`, /c has the key "constructor"/],
  ])('refuses %s in short and long bodies', (_label, text, message) => {
    expect(() => parseJsonBody(text)).toThrow(
      expect.objectContaining({ status: 400, message: expect.stringMatching(message) }),
    );
  });

  it('answers 400 for text that is not JSON or is empty', () => {
    expect(() => parseJsonBody('{"a":')).toThrow(/not valid JSON/);
    expect(() => parseJsonBody('  ')).toThrow(/empty/);
  });
});
