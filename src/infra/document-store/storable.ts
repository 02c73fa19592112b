/**
 * PostgreSQL refuses U+0000 in `text` and in `jsonb`, and `jsonb` refuses the escape of a lone
 * UTF-16 surrogate; so does FerretDB, which keeps MongoDB documents in PostgreSQL. Request data
 * never carries either (the JSON body parser and the validation pipe refuse them), but stored
 * values also come from elsewhere: model output, tool results. Those are kept, with each such
 * character replaced by U+FFFD, rather than lost to a failed write.
 */
const REPLACEMENT = '\ufffd';

/** `s` with NUL characters replaced (lone surrogates become U+FFFD in UTF-8 on their own). */
export function storableText(s: string): string {
  return s.includes('\u0000') ? s.replaceAll('\u0000', REPLACEMENT) : s;
}

/**
 * Escaped backslashes are consumed first, so `\\u0000` (a backslash, then the text "u0000")
 * is left alone; JSON.stringify writes a lone surrogate, and only a lone one, as `\udXXX`.
 */
const UNSTORABLE_ESCAPE = /\\\\|\\u(?:0000|d[89a-f][0-9a-f]{2})/gi;

/** `value` as JSON text a jsonb column accepts. */
export function storableJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (!text.includes('\\u')) return text;
  return text.replace(UNSTORABLE_ESCAPE, (m) => (m === '\\\\' ? m : '\\ufffd'));
}

/**
 * `value` with NUL replaced in every string, at any depth, for document stores (a BSON string
 * holds lone surrogates as U+FFFD already). Objects are copied only where something changed.
 */
export function storableStrings<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (Array.isArray(value)) {
    const items = value.map((v: unknown) => storableStrings(v));
    return (items.some((v, i) => v !== value[i]) ? items : value) as T;
  }
  if (typeof value !== 'object' || value === null) return value;
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  let out: Record<string, unknown> | undefined;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const s = storableStrings(v);
    if (s !== v) (out ??= { ...(value as Record<string, unknown>) })[key] = s;
  }
  return (out ?? value) as T;
}
