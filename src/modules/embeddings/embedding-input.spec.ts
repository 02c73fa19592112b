import { MAX_EMBEDDING_INPUTS } from './dto/embeddings.dto';
import { embeddingInputProblem, toBase64 } from './embedding-input';

describe('toBase64 (encoding_format "base64")', () => {
  it('is the little-endian float32 bytes of the vector', () => {
    const encoded = toBase64([1, -2.5, 0.1]);
    const bytes = Buffer.from(encoded, 'base64');
    expect(bytes).toHaveLength(12);
    // 1.0f = 0x3f800000, little-endian: 00 00 80 3f.
    expect([...bytes.subarray(0, 4)]).toEqual([0x00, 0x00, 0x80, 0x3f]);
    expect(bytes.readFloatLE(4)).toBe(-2.5);
    expect(bytes.readFloatLE(8)).toBe(Math.fround(0.1));
  });

  it('decodes as the openai SDK decodes it (a Float32Array over the bytes)', () => {
    const v = [0.25, -0.75, 3, 1e-3];
    const bytes = Buffer.from(toBase64(v), 'base64');
    const floats = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    expect(Array.from(floats)).toEqual(v.map(Math.fround));
  });

  it('encodes an empty vector as an empty string', () => {
    expect(toBase64([])).toBe('');
  });
});

describe('embeddingInputProblem', () => {
  it.each([
    ['a string', 'hello'],
    ['strings', ['a', 'b']],
    ['one token array', [1, 2, 3]],
    ['token arrays', [[1], [2, 3]]],
    ['the most inputs allowed', Array<string>(MAX_EMBEDDING_INPUTS).fill('x')],
  ])('accepts %s', (_, input) => {
    expect(embeddingInputProblem(input)).toBeUndefined();
  });

  it.each([
    ['an empty string', '', /empty/],
    ['an empty array', [], /empty array/],
    ['an empty string among strings', ['a', ''], /empty strings/],
    ['an empty token array', [[1], []], /empty token arrays/],
    ['a mix of strings and tokens', ['a', 1], /not a mix/],
    ['negative tokens', [[1, -1]], /non-negative/],
    ['a number', 3, /must be a string/],
    ['an object', { text: 'a' }, /must be a string/],
    ['too many inputs', Array<string>(MAX_EMBEDDING_INPUTS + 1).fill('x'), /at most 2048/],
  ])('refuses %s', (_, input, message) => {
    expect(embeddingInputProblem(input)).toMatch(message);
  });
});
