import { RE2JS } from 're2js';

/** What Ajv needs of a regular expression (its `code.regExp` option). */
interface RegExpLike {
  test(s: string): boolean;
  toString(): string;
}

/**
 * Ajv's regular-expression engine for tenant-supplied schemas: RE2 semantics (re2js, a pure
 * JavaScript port of RE2 with no dependencies and no install scripts), which match in time
 * linear in the input. V8's backtracking engine takes exponential time on patterns such as
 * `^(a+)+$`, and a stored tool's `pattern` is evaluated on arguments the model writes: one
 * such pair froze the whole process for seconds.
 *
 * Ajv calls it for `pattern` and `patternProperties` (and `propertyNames` through `pattern`).
 * A pattern RE2 cannot run (backreferences, lookaround) throws, so the schema does not compile
 * and the tool is refused when it is stored. `format` never sees tenant patterns: formats are
 * defined by the deployment, and none are registered.
 */
export function linearRegExp(pattern: string, _flags: string): RegExpLike {
  // JavaScript syntax (named groups, `\u` escapes, `/`) translated to RE2's.
  const re = RE2JS.compile(RE2JS.translateRegExp(pattern));
  return {
    test: (s: string) => re.test(s),
    // Ajv deduplicates compiled patterns by this string: it must name the pattern.
    toString: () => `/${pattern}/`,
  };
}
/** For Ajv's standalone code generation (unused here, but the option requires it). */
linearRegExp.code = 'require("re2js").RE2JS.compile';
