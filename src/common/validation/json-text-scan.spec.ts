import { findJsonProblem } from './json-guard';
import { measureJsonText } from './json-text-scan';

const unlimited = { maxDepth: Infinity, maxNodes: Infinity };

/** What findJsonProblem counts on the parsed value, for comparison. */
function walkCount(value: unknown): number {
  let n = 1;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    const children = Array.isArray(v) ? v : Object.values(v);
    n += children.length;
    stack.push(...children);
  }
  return n;
}

describe('measureJsonText', () => {
  it.each([
    '1',
    '"a"',
    '[]',
    '{}',
    '[1,2,3]',
    '{"a":1,"b":[1,{"c":null}],"d":{}}',
    ' [ { "x" : "y , [ ] \\" {" } , [ ] , [ [ ] ] ] ',
    '{"m":[{"role":"user","content":"hi"},{"role":"assistant","content":"a,b"}]}',
  ])('counts values and depth as the parsed value has them: %s', (text) => {
    const value = JSON.parse(text) as unknown;
    expect(measureJsonText(text, unlimited).nodes).toBe(walkCount(value));
  });

  it('measures depth, ignoring brackets inside strings', () => {
    expect(measureJsonText('[[["[[[["]]]', unlimited).depth).toBe(3);
    expect(measureJsonText('{"a":{"b":{}}}', unlimited).depth).toBe(3);
    expect(measureJsonText('"x"', unlimited).depth).toBe(0);
  });

  it('agrees with the walk on the depth limit', () => {
    const nested = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(measureJsonText(nested(64), { maxDepth: 64, maxNodes: Infinity }).depth).toBe(64);
    expect(findJsonProblem(JSON.parse(nested(64)), { maxDepth: 64 })).toBeUndefined();
    expect(measureJsonText(nested(65), { maxDepth: 64, maxNodes: Infinity }).depth).toBe(65);
    expect(findJsonProblem(JSON.parse(nested(65)), { maxDepth: 64 })).toMatchObject({
      kind: 'depth',
    });
  });

  it('stops early past a limit', () => {
    const text = '['.repeat(1_000_000);
    expect(measureJsonText(text, { maxDepth: 64, maxNodes: Infinity }).depth).toBe(65);
    const wide = `[${'0,'.repeat(1_000_000)}0]`;
    expect(measureJsonText(wide, { maxDepth: 64, maxNodes: 100 }).nodes).toBe(101);
  });
});
