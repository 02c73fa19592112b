import { type SseMessage, SseReader } from './sse-reader';

/** Feeds `bytes` to a fresh reader in pieces cut at `cuts` (byte offsets); returns every event. */
function readInPieces(bytes: Buffer, cuts: number[]): SseMessage[] {
  const reader = new SseReader();
  const out: SseMessage[] = [];
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(...reader.push(bytes.subarray(at, cut)));
    at = cut;
  }
  return out;
}

/** An OpenAI-style stream: a role chunk, content with multi-byte characters, tool call, usage. */
const chunks = [
  { choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
  { choices: [{ index: 0, delta: { content: 'héllo 日本語 🎉' }, finish_reason: null }] },
  {
    choices: [
      {
        index: 0,
        delta: {
          tool_calls: [
            {
              index: 0,
              id: 'call_1',
              type: 'function',
              function: { name: 'f', arguments: '{"a"' },
            },
          ],
        },
        finish_reason: null,
      },
    ],
  },
  { choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
  { choices: [], usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 } },
];
const wire = Buffer.from(
  ': keep-alive\n\n' +
    chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join(': ping\n\n') +
    'data: [DONE]\n\n',
  'utf8',
);
const expected: SseMessage[] = [
  ...chunks.map((c) => ({ event: undefined, data: JSON.stringify(c) })),
  { event: undefined, data: '[DONE]' },
];

describe('SseReader', () => {
  it('reads a whole stream in one chunk: data, comments and keep-alives, [DONE]', () => {
    expect(readInPieces(wire, [])).toEqual(expected);
  });

  it('gives the same events however the bytes are split (every single cut point)', () => {
    for (let cut = 1; cut < wire.length; cut++) {
      expect(readInPieces(wire, [cut])).toEqual(expected);
    }
  });

  it('gives the same events byte by byte (multi-byte UTF-8 split across chunks)', () => {
    const cuts = Array.from({ length: wire.length - 1 }, (_, i) => i + 1);
    const events = readInPieces(wire, cuts);
    expect(events).toEqual(expected);
    expect(JSON.parse(events[1].data)).toEqual(chunks[1]);
  });

  it('gives the same events at random cut points', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * wire.length;
    for (let run = 0; run < 200; run++) {
      const cuts = [...new Set(Array.from({ length: 6 }, () => Math.floor(random())))]
        .filter((c) => c > 0)
        .sort((a, b) => a - b);
      expect(readInPieces(wire, cuts)).toEqual(expected);
    }
  });

  it('accepts CRLF and CR line ends, also with the CRLF cut in two', () => {
    const crlf = Buffer.from('data: a\r\ndata: b\r\n\r\nevent: x\rdata:c\r\r\n', 'utf8');
    const want = [
      { event: undefined, data: 'a\nb' },
      { event: 'x', data: 'c' },
    ];
    expect(readInPieces(crlf, [])).toEqual(want);
    for (let cut = 1; cut < crlf.length; cut++) expect(readInPieces(crlf, [cut])).toEqual(want);
  });

  it('keeps event names, drops one leading space only, ignores id/retry and empty events', () => {
    const text = 'id: 7\nretry: 100\nevent: error\ndata:  two spaces\n\nevent: lonely\n\ndata\n\n';
    expect(readInPieces(Buffer.from(text), [])).toEqual([
      { event: 'error', data: ' two spaces' },
      { event: undefined, data: '' },
    ]);
  });

  it('drops an event the body ended in the middle of', () => {
    expect(readInPieces(Buffer.from('data: {"a":1}\n\ndata: {"b"'), [])).toEqual([
      { event: undefined, data: '{"a":1}' },
    ]);
  });
});
