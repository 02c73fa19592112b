import { MAX_EMBEDDING_INPUTS } from './dto/embeddings.dto';

const isToken = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;

/**
 * Why `input` cannot be embedded, or undefined when it can: one of OpenAI's four shapes, not
 * empty (nor any element of it), at most MAX_EMBEDDING_INPUTS inputs.
 */
export function embeddingInputProblem(input: unknown): string | undefined {
  if (typeof input === 'string') return input.length === 0 ? 'input must not be empty' : undefined;
  if (!Array.isArray(input))
    return 'input must be a string, an array of strings or an array of token arrays';
  if (input.length === 0) return 'input must not be an empty array';
  if (input.every(isToken)) return undefined; // one token array
  if (input.length > MAX_EMBEDDING_INPUTS)
    return `input may hold at most ${MAX_EMBEDDING_INPUTS} items (got ${input.length})`;
  if (input.every((s) => typeof s === 'string'))
    return input.some((s) => s.length === 0) ? 'input must not contain empty strings' : undefined;
  if (input.every((t) => Array.isArray(t) && t.every(isToken)))
    return input.some((t) => (t as unknown[]).length === 0)
      ? 'input must not contain empty token arrays'
      : undefined;
  return 'input must be a string, an array of strings or an array of token arrays (non-negative integers), not a mix';
}

/** OpenAI's `encoding_format: "base64"`: the vector's little-endian float32 bytes, base64. */
export function toBase64(vector: readonly number[]): string {
  const buf = Buffer.alloc(vector.length * 4);
  vector.forEach((v, i) => buf.writeFloatLE(v, i * 4));
  return buf.toString('base64');
}
