/** How answers are cut into stream deltas: text word by word, tool arguments in fragments. */

/** Word by word (each piece carries its leading whitespace), or `chunks` near-equal parts. */
export function splitText(text: string, chunks?: number): string[] {
  if (text === '') return [];
  if (chunks !== undefined) return splitEven(text, chunks);
  const pieces: string[] = [...(text.match(/\s*\S+/g) ?? [])];
  const used = pieces.reduce((n, p) => n + p.length, 0);
  if (used < text.length) {
    if (pieces.length) pieces[pieces.length - 1] += text.slice(used);
    else pieces.push(text);
  }
  return pieces;
}

function splitEven(s: string, parts: number): string[] {
  const n = Math.max(1, Math.min(parts, s.length));
  const size = s.length / n;
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(s.slice(Math.round(i * size), Math.round((i + 1) * size)));
  return out;
}

export function argFragments(args: string, chunks?: number): string[] {
  if (args === '') return [];
  return splitEven(args, chunks ?? Math.max(2, Math.ceil(args.length / 12)));
}
