/**
 * Rules every piece of request data obeys before anything else looks at it, checked with one
 * iterative walk (no recursion, so no input can overflow the stack):
 *
 * - nesting at most `maxDepth` levels: validation, transformation, hashing and serialisation
 *   further down are recursive, and 4,000 levels of `[[[...]]]` overflowed the stack;
 * - no `__proto__`, `constructor` or `prototype` key: copied with a spread or `Object.assign`,
 *   such a key can rewrite an object's prototype, and Nest's ValidationPipe deletes them
 *   silently (a tool schema with a `constructor` property lost it); a clear 400 is better;
 * - strings and keys are well-formed Unicode without U+0000: PostgreSQL refuses NUL in text
 *   and in jsonb, and a lone surrogate has no UTF-8 form (jsonb refuses its escape,
 *   `encodeURIComponent` throws on it). Refused here, they can never reach a store.
 */
export interface JsonGuardOptions {
  maxDepth: number;
  /** Values (of any type, containers included) the whole value may hold at most. */
  maxNodes?: number;
  /**
   * The JSON text the value was parsed from, when there is one: strings can only hold NUL or
   * a lone surrogate through a `\u` escape, so without one in the text the string checks are
   * skipped.
   */
  raw?: string;
  /** What the value itself is called in messages (default "the request body"). */
  root?: string;
}

export type JsonProblemKind = 'depth' | 'size' | 'forbidden-key' | 'nul' | 'surrogate';

export interface JsonProblem {
  kind: JsonProblemKind;
  /** Where, e.g. `messages[2].content`; empty for the value itself. */
  path: string;
  message: string;
}

/** The deepest nesting any route accepts (a JSON Schema of tool parameters is the deepest). */
export const MAX_JSON_DEPTH = 64;

/**
 * Values one request body may hold. Far above any real request (a 2,048-message conversation
 * with tool calls is ~20,000), and low enough that per-element validation of a body at the
 * limit takes tens of milliseconds, whatever its shape.
 */
export const MAX_JSON_NODES = 50_000;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `s` cannot be stored as is, or undefined when it can. */
export function unsafeStringKind(s: string): 'nul' | 'surrogate' | undefined {
  if (s.includes('\u0000')) return 'nul';
  if (LONE_SURROGATE.test(s)) return 'surrogate';
  return undefined;
}

/** The first problem in `value`, or undefined. */
export function findJsonProblem(value: unknown, opts: JsonGuardOptions): JsonProblem | undefined {
  const checkStrings = opts.raw === undefined || opts.raw.includes('\\u');
  const maxNodes = opts.maxNodes ?? Infinity;
  const root = opts.root ?? 'the request body';
  // The fast walk keeps no paths; only a body that has a problem is walked again for one.
  const kind = firstProblem(value, opts.maxDepth, maxNodes, checkStrings);
  if (kind === undefined) return undefined;
  if (kind === 'size') {
    return {
      kind,
      path: '',
      message: `${root} holds more than ${maxNodes} values (array items, object members)`,
    };
  }
  return locateProblem(value, opts.maxDepth, checkStrings, root);
}

function firstProblem(
  root: unknown,
  maxDepth: number,
  maxNodes: number,
  checkStrings: boolean,
): JsonProblemKind | undefined {
  const values: unknown[] = [root];
  const depths: number[] = [0];
  let nodes = 1;
  while (values.length > 0) {
    const v = values.pop();
    const depth = depths.pop()!;
    if (typeof v === 'string') {
      if (checkStrings && unsafeStringKind(v) !== undefined) return unsafeStringKind(v);
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= maxDepth) return 'depth';
    if (Array.isArray(v)) {
      nodes += v.length;
      if (nodes > maxNodes) return 'size';
      for (let i = 0; i < v.length; i++) {
        const item: unknown = v[i];
        if (typeof item === 'object' ? item !== null : typeof item === 'string') {
          values.push(item);
          depths.push(depth + 1);
        }
      }
      continue;
    }
    for (const key in v as Record<string, unknown>) {
      if (++nodes > maxNodes) return 'size';
      if (isForbiddenKey(key)) return 'forbidden-key';
      if (checkStrings && unsafeStringKind(key) !== undefined) return unsafeStringKind(key);
      const item = (v as Record<string, unknown>)[key];
      if (typeof item === 'object' ? item !== null : typeof item === 'string') {
        values.push(item);
        depths.push(depth + 1);
      }
    }
  }
  return undefined;
}

/** The slow walk, with paths, for the error message. Same rules as `firstProblem`. */
function locateProblem(
  root: unknown,
  maxDepth: number,
  checkStrings: boolean,
  rootLabel: string,
): JsonProblem | undefined {
  const label = (path: string) => (path === '' ? rootLabel : path);
  const stack: Array<{ v: unknown; depth: number; path: string }> = [
    { v: root, depth: 0, path: '' },
  ];
  while (stack.length > 0) {
    const { v, depth, path } = stack.pop()!;
    if (typeof v === 'string') {
      const kind = checkStrings ? unsafeStringKind(v) : undefined;
      if (kind) return stringProblem(kind, path, label(path), 'value');
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= maxDepth) {
      return {
        kind: 'depth',
        path,
        message: `${label(path)} nests deeper than ${maxDepth} levels`,
      };
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) {
        stack.push({ v: v[i], depth: depth + 1, path: `${path}[${i}]` });
      }
      continue;
    }
    const entries = Object.keys(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const key = entries[i];
      const at = path === '' ? key : `${path}.${key}`;
      if (isForbiddenKey(key)) {
        return {
          kind: 'forbidden-key',
          path: at,
          message: `${label(path)} has the key "${key}", which is not allowed (__proto__, constructor and prototype are reserved)`,
        };
      }
      const kind = checkStrings ? unsafeStringKind(key) : undefined;
      if (kind) return stringProblem(kind, at, label(at), 'key');
      stack.push({ v: (v as Record<string, unknown>)[key], depth: depth + 1, path: at });
    }
  }
  return undefined;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function isForbiddenKey(key: string): boolean {
  return FORBIDDEN_KEYS.has(key);
}

function stringProblem(
  kind: 'nul' | 'surrogate',
  path: string,
  name: string,
  what: 'key' | 'value',
): JsonProblem {
  const why =
    kind === 'nul'
      ? 'contains a NUL character (U+0000), which cannot be stored'
      : 'contains an unpaired UTF-16 surrogate (not valid Unicode)';
  return {
    kind,
    path,
    message: `${name}${what === 'key' ? "'s name" : ''} ${why}`,
  };
}
