/**
 * Measures JSON text before it is parsed: how deep it nests and how many values it holds,
 * with one pass over the characters and nothing allocated. JSON.parse takes 1.5 s on a body
 * of a million nested brackets and builds a million objects for a body of tiny ones; checked
 * here first, such a body costs a few milliseconds to refuse. The counts match what
 * `findJsonProblem` counts on the parsed value (its root is one value, each array item and
 * each object member one more), so the two agree on every body.
 *
 * Invalid JSON is not this scan's business: it measures what it can and leaves the verdict
 * to JSON.parse.
 */
export interface JsonTextMeasure {
  /** Deepest level of nested arrays and objects (0 for a scalar). */
  depth: number;
  /** Values, containers included (JSON.parse would build this many). */
  nodes: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

const isWhitespace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * Scans `text`, stopping as soon as the depth passes `maxDepth` or the values pass
 * `maxNodes`; returns what it measured (so far).
 */
export function measureJsonText(
  text: string,
  limits: { maxDepth: number; maxNodes: number },
): JsonTextMeasure {
  let depth = 0;
  let deepest = 0;
  let nodes = 1;
  let inString = false;
  // Right after `[` or `{`: the next significant character says whether it is empty.
  let opened = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (isWhitespace(c)) continue;
    if (opened) {
      opened = false;
      // A non-empty container holds one more value than it has commas.
      if (c !== CLOSE_ARRAY && c !== CLOSE_OBJECT) nodes++;
    }
    if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > deepest) deepest = depth;
      opened = true;
      if (deepest > limits.maxDepth) break;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    } else if (c === COMMA) {
      nodes++;
    }
    if (nodes > limits.maxNodes) break;
  }
  return { depth: deepest, nodes };
}
