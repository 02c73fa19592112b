import type { ArgumentMetadata } from '@nestjs/common';
import { createValidationPipe } from '../../../../common/pipes/validation.pipe';
import { fastAcceptFor } from '../../../../common/validation/fast-accept';
import { AgentCompletionDto } from '../agent/dto/agent-completion.dto';
import { OpenAiChatCompletionDto } from '../openai-chat/dto/openai-chat.dto';

// The predicates compiled from the two DTOs' decorators (fast-accept.compiler.ts).
const isCommonOpenAiChatRequest = fastAcceptFor(OpenAiChatCompletionDto)!;
const isCommonAgentRequest = fastAcceptFor(AgentCompletionDto)!;

/** A small deterministic PRNG, so a failing case can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ABSENT = Symbol('absent');
const manyKeys = (n: number, value: unknown) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, value]));
const longString = (n: number) => 'x'.repeat(n);
const emoji = (n: number) => '😀'.repeat(n); // surrogate pairs: MaxLength counts one per pair

const messageValues = {
  role: ['user', ABSENT, 'system', 'developer', 'assistant', 'tool', 'robot', '', 1, null],
  content: ['hi', ABSENT, '', null, 5, [{ type: 'text', text: 'hi' }], {}, ['x']],
  name: [ABSENT, 'alice', longString(64), longString(65), emoji(40), 3, null, ''],
  tool_call_id: [ABSENT, ABSENT, ABSENT, 'call_1', ''],
  extra: [ABSENT, 'surprise'],
};

const numbers = [ABSENT, ABSENT, 0, 1, 2, 0.5, -1, 2.5, 1e9, -2, NaN, Infinity, '1', null, true];
const openAiValues: Record<string, unknown[]> = {
  model: [
    'openai/gpt-4o-mini',
    'agent/agt_x',
    '',
    longString(256),
    longString(257),
    emoji(200),
    5,
    null,
    ABSENT,
  ],
  temperature: numbers,
  top_p: numbers,
  max_tokens: numbers,
  max_completion_tokens: numbers,
  presence_penalty: numbers,
  frequency_penalty: numbers,
  seed: numbers,
  n: [ABSENT, ABSENT, 1, 2, 0, 1.5, '1', null],
  stop: [ABSENT, ABSENT, 'END', ['a', 'b'], ['a', 'b', 'c', 'd', 'e'], [1], '', [], null, 4],
  stream: [ABSENT, ABSENT, true, false, 'true', 0, null],
  stream_options: [
    ABSENT,
    ABSENT,
    { include_usage: true },
    {},
    { include_usage: 'yes' },
    { x: 1 },
    null,
    [],
  ],
  parallel_tool_calls: [ABSENT, ABSENT, true, 'no', null],
  user: [ABSENT, ABSENT, 'u-1', longString(256), longString(257), 7, null],
  tools: [ABSENT, ABSENT, ABSENT, [], [{ type: 'function', function: { name: 'f' } }]],
  response_format: [ABSENT, ABSENT, ABSENT, { type: 'json_object' }],
  bogus: [ABSENT, ABSENT, ABSENT, ABSENT, 1],
};

const agentValues: Record<string, unknown[]> = {
  agent_id: [
    'agt_support',
    'a.b:c-d_e',
    '',
    'has space',
    longString(128),
    longString(129),
    9,
    ABSENT,
  ],
  bridge_id: [ABSENT, ABSENT, ABSENT, 'br_1', 'bad id'],
  user: [ABSENT, 'Hello', '', 3, null],
  thread_id: [ABSENT, 't-1', 'bad/id', longString(129), 1],
  sub_thread_id: [ABSENT, 's-1', '', null],
  variables: [
    ABSENT,
    { name: 'Ada', n: 1, ok: true },
    { nested: {} },
    [],
    null,
    'x',
    { toString: 'x' },
    manyKeys(256, 'v'),
    manyKeys(257, 'v'),
  ],
  configuration: [
    ABSENT,
    { temperature: 0.2 },
    {},
    [],
    null,
    5,
    { constructor: 1 },
    { hasOwnProperty: 0.5 },
    manyKeys(64, 1),
    manyKeys(65, 1),
  ],
  stream: [ABSENT, true, false, 'true'],
  cache: [
    ABSENT,
    false,
    true,
    { ttl: 60 },
    { ttl: -1 },
    { ttl: 2592001 },
    { ttl: 1.5 },
    { ttl: 1, x: 2 },
    {},
    'yes',
    null,
  ],
  images: [ABSENT, ABSENT, ABSENT, ['https://example.com/a.png']],
  response_format: [ABSENT, ABSENT, ABSENT, { type: 'default' }],
  extra: [ABSENT, ABSENT, ABSENT, ABSENT, true],
};

function pick<T>(rand: () => number, values: readonly T[]): T {
  return values[Math.floor(rand() * values.length)];
}

/**
 * One body: each field takes its list's first value (the usual one: a valid value for required
 * fields, absent for optional ones) most of the time and any value of its list otherwise, so
 * bodies are often valid, often invalid in one field, sometimes in several.
 */
function build(
  rand: () => number,
  values: Record<string, readonly unknown[]>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, options] of Object.entries(values)) {
    const v = rand() < 0.85 ? options[0] : pick(rand, options);
    if (v !== ABSENT) out[key] = v;
  }
  return out;
}

function message(rand: () => number): unknown {
  if (rand() < 0.05) return pick(rand, [null, 'text', 1, []]);
  // Mostly valid-looking messages, so that whole requests often get through the fast lane.
  if (rand() < 0.6) return { role: pick(rand, ['user', 'system', 'assistant']), content: 'hi' };
  return build(rand, messageValues);
}

function messages(rand: () => number): unknown {
  const r = rand();
  if (r < 0.05) return [];
  if (r < 0.1) return pick(rand, [null, 'hi', {}]);
  // Around the length limit (MAX_MESSAGES, 2048).
  if (r < 0.12) {
    const length = pick(rand, [2048, 2049]);
    return Array.from({ length }, () => ({ role: 'user', content: 'hi' }));
  }
  return Array.from({ length: 1 + Math.floor(rand() * 3) }, () => message(rand));
}

const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
const body = (dto: unknown): ArgumentMetadata => ({ type: 'body', metatype: dto as never });

/**
 * The verdict of the full path (size and null preflight, then class-validator): the
 * transformed value, or undefined when it refuses.
 */
async function fullVerdict(dto: unknown, value: unknown): Promise<unknown> {
  try {
    return await createValidationPipe().validateFully(value, body(dto));
  } catch {
    return undefined;
  }
}

describe('fast acceptance of completion bodies', () => {
  it('registers the checks for both completion DTOs', () => {
    expect(isCommonOpenAiChatRequest).toEqual(expect.any(Function));
    expect(isCommonAgentRequest).toEqual(expect.any(Function));
    // Compiled once: the pipe gets the same predicate on every request.
    expect(fastAcceptFor(OpenAiChatCompletionDto)).toBe(isCommonOpenAiChatRequest);
    expect(fastAcceptFor(AgentCompletionDto)).toBe(isCommonAgentRequest);
  });

  it('accepts the common bodies and hands them on untouched', async () => {
    const pipe = createValidationPipe();
    const chat = {
      model: 'openai/gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello', name: 'alice' },
      ],
      temperature: 0.7,
      max_tokens: 256,
      stream: true,
      stream_options: { include_usage: true },
    };
    expect(isCommonOpenAiChatRequest(chat)).toBe(true);
    await expect(pipe.transform(chat, body(OpenAiChatCompletionDto))).resolves.toBe(chat);

    const agent = {
      agent_id: 'agt_support',
      user: 'Hi',
      thread_id: 't-1',
      variables: { name: 'Ada' },
      cache: { ttl: 60 },
    };
    expect(isCommonAgentRequest(agent)).toBe(true);
    await expect(pipe.transform(agent, body(AgentCompletionDto))).resolves.toBe(agent);
  });

  it('sends doubtful bodies to class-validator, which still names the field', async () => {
    const pipe = createValidationPipe();
    const bad = {
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'x' }],
      top_p: 3,
    };
    expect(isCommonOpenAiChatRequest(bad)).toBe(false);
    await expect(pipe.transform(bad, body(OpenAiChatCompletionDto))).rejects.toMatchObject({
      message: expect.stringContaining('top_p'),
    });
  });

  // The safety property: the fast lane never accepts what class-validator refuses, and what it
  // accepts is the same data class-validator would have produced.
  it.each([
    ['OpenAI chat', OpenAiChatCompletionDto, isCommonOpenAiChatRequest, openAiValues, 11],
    ['agent', AgentCompletionDto, isCommonAgentRequest, agentValues, 23],
  ] as const)(
    '%s: never looser than class-validator over 3000 generated bodies',
    async (_name, dto, check, values, seed) => {
      const rand = prng(seed);
      let fastAccepted = 0;
      let fullAccepted = 0;
      for (let i = 0; i < 3000; i++) {
        const candidate = build(rand, values);
        if (rand() < 0.9) candidate.messages = messages(rand);
        const full = await fullVerdict(dto, structuredClone(candidate));
        if (full !== undefined) fullAccepted++;
        if (!check(candidate)) continue;
        fastAccepted++;
        if (full === undefined)
          throw new Error(`fast lane accepted an invalid body: ${JSON.stringify(candidate)}`);
        expect(json(full)).toEqual(json(candidate));
      }
      // The generator must reach both lanes, or the property above says nothing.
      expect(fastAccepted).toBeGreaterThan(50);
      expect(fullAccepted).toBeGreaterThan(fastAccepted);
    },
  );
});
