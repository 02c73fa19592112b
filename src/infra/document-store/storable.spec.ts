import { storableJson, storableStrings, storableText } from './storable';

describe('storable values', () => {
  it('replaces NUL in text and leaves other text alone', () => {
    expect(storableText('a\u0000b\u0000')).toBe('a\ufffdb\ufffd');
    const plain = 'plain text é 😀';
    expect(storableText(plain)).toBe(plain);
  });

  it('replaces NUL and lone surrogates in JSON, keeping pairs and escaped backslashes', () => {
    const value = {
      nul: 'a\u0000b',
      lone: ['x\ud800y', '\udfff'],
      pair: '😀',
      literal: '\\u0000 is how NUL is written',
      control: '\u0001',
    };
    expect(JSON.parse(storableJson(value))).toEqual({
      nul: 'a\ufffdb',
      lone: ['x\ufffdy', '\ufffd'],
      pair: '😀',
      literal: '\\u0000 is how NUL is written',
      control: '\u0001',
    });
  });

  it('returns plain JSON untouched', () => {
    const value = { a: [1, 'two', { three: null }] };
    expect(storableJson(value)).toBe(JSON.stringify(value));
  });

  it('replaces NUL in the strings of a document, copying only what changed', () => {
    const at = new Date();
    const clean = { role: 'user', parts: [{ text: 'ok' }] };
    const doc = { at, messages: [clean, { role: 'assistant', content: 'a\u0000b' }] };
    const out = storableStrings(doc);
    expect(out).toEqual({ at, messages: [clean, { role: 'assistant', content: 'a\ufffdb' }] });
    expect(out.messages[0]).toBe(clean);
    expect(out.at).toBe(at);
    expect(storableStrings(clean)).toBe(clean);
  });
});
