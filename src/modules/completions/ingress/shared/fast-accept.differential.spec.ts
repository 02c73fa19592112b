import type { ArgumentMetadata } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { Prng } from '../../../../../test/security/fuzz/prng';
import { createValidationPipe } from '../../../../common/pipes/validation.pipe';
import { fastAcceptFor } from '../../../../common/validation/fast-accept';
import { AgentCompletionDto } from '../agent/dto/agent-completion.dto';
import { MessageDto } from '../openai-chat/dto/message.dto';
import { OpenAiChatCompletionDto } from '../openai-chat/dto/openai-chat.dto';

/**
 * Differential test of the compiled fast lane against the full path, over a corpus of
 * mutations of valid bodies: every body the predicate accepts must pass the full pipe
 * (preflight + class-validator with the pipe's own options) and come out as the same data.
 * The fields mutated are read from the DTOs' metadata, so a new field is covered when added.
 */

type Body = Record<string, unknown>;
/**
 * Copies as the body parser builds them (JSON.parse in this realm: structuredClone would make
 * objects of the outer realm, which the predicate rightly takes for non-JSON objects).
 */
const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const DELETE = Symbol('delete');

const propertiesOf = (dto: abstract new () => unknown): string[] => [
  ...new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(dto, '', false, false)
      .map((m) => m.propertyName),
  ),
];

const text = (role: string, content = 'hi') => ({ role, content });
const toolCall = { id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } };

/** Values of every kind a field may wrongly (or rightly) hold. */
const MUTATIONS: unknown[] = [
  DELETE,
  null,
  '',
  'x',
  'openai/gpt-4o-mini',
  'user',
  'function',
  'agt_1',
  'bad id/with slash',
  'x'.repeat(65),
  'x'.repeat(257),
  '😀'.repeat(200),
  '\uFE0F'.repeat(300),
  0,
  1,
  -1,
  0.5,
  1.5,
  2,
  2.5,
  -2.5,
  20,
  21,
  128,
  129,
  1e9,
  true,
  false,
  [],
  ['a'],
  ['a', 'b', 'c', 'd', 'e'],
  [1],
  ['text'],
  ['text', 'audio', 'text'],
  [null],
  {},
  { include_usage: true },
  { include_usage: 'yes' },
  { ttl: 60 },
  { ttl: -1 },
  { type: 'default' },
  { type: 'webhook' },
  { type: 'json_object' },
  { name: 'Ada' },
  { nested: { deep: 1 } },
  { toString: 1 },
  { k: null },
  [text('user')],
  [{ role: 'user' }],
  [{ type: 'function', function: { name: 'f' } }],
  [{ type: 'function', function: { name: '' } }],
  [toolCall],
  [[text('user')]],
];

/** Mutations of one message (inside `messages`), a near-valid one most of the time. */
const MESSAGE_FIELDS = [...propertiesOf(MessageDto), 'extra'];

function mutateMessage(rng: Prng, message: Body): unknown {
  if (rng.next() < 0.05) return rng.pick([null, 'hi', 1, [], [message]]);
  const out: Body = { ...message };
  const field = rng.pick(MESSAGE_FIELDS);
  const v = rng.pick(MUTATIONS);
  if (v === DELETE) delete out[field];
  else out[field] = v;
  return out;
}

/** One to three field mutations of `base` (top level or inside a message), or an extra key. */
function mutate(rng: Prng, base: Body, fields: string[]): Body {
  const out: Body = json(base);
  const times = 1 + Math.floor(rng.next() * rng.next() * 3);
  for (let i = 0; i < times; i++) {
    const r = rng.next();
    if (r < 0.08) {
      out[rng.pick(['extra', 'constructor', 'Model'])] = 1;
    } else if (r < 0.3 && Array.isArray(out.messages) && out.messages.length > 0) {
      const index = Math.floor(rng.next() * out.messages.length);
      out.messages[index] = mutateMessage(rng, out.messages[index] as Body);
    } else {
      const field = rng.pick(fields);
      const v = rng.pick(MUTATIONS);
      if (v === DELETE) delete out[field];
      else out[field] = json(v);
    }
  }
  return out;
}

const CHAT_BASES: Body[] = [
  { model: 'openai/gpt-4o-mini', messages: [text('user', 'Hello')] },
  {
    model: 'anthropic/claude-sonnet-4-6',
    messages: [text('system', 'Be brief.'), { role: 'user', content: 'Hi', name: 'alice' }],
    temperature: 0.7,
    top_p: 0.9,
    max_tokens: 256,
    presence_penalty: 0.5,
    frequency_penalty: -0.5,
    seed: 42,
    stop: ['END'],
    stream: true,
    stream_options: { include_usage: true },
    user: 'u-1',
  },
  {
    model: 'openai/gpt-4o-mini',
    messages: [
      text('user', 'Weather?'),
      { role: 'assistant', content: null, tool_calls: [toolCall] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"t":20}' },
    ],
    tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
    tool_choice: 'auto',
    parallel_tool_calls: true,
  },
  {
    model: 'openai/gpt-4o-mini',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
    response_format: { type: 'json_object' },
    logprobs: true,
    top_logprobs: 2,
    service_tier: 'auto',
    reasoning_effort: 'low',
    modalities: ['text'],
    metadata: { a: 'b' },
  },
];

const AGENT_BASES: Body[] = [
  { agent_id: 'agt_support', user: 'Hello' },
  {
    agent_id: 'agt_support',
    user: 'Hi',
    thread_id: 't-1',
    sub_thread_id: 's-1',
    variables: { name: 'Ada', n: 1 },
    configuration: { temperature: 0.2 },
    stream: false,
    cache: { ttl: 60 },
  },
  { agent_id: 'agt_support', messages: [text('system', 'x'), text('user', 'Hello')] },
  { bridge_id: 'br_1', user: 'Hi', response_format: { type: 'default' } },
  {
    agent_id: 'a',
    user: 'Hi',
    response_format: { type: 'webhook', url: 'https://example.com/h', headers: { a: 'b' } },
    images: ['https://example.com/a.png'],
  },
];

const meta = (dto: unknown): ArgumentMetadata => ({ type: 'body', metatype: dto as never });

describe('fast lane vs the full validation pipe (differential)', () => {
  const pipe = createValidationPipe();

  it.each([
    ['OpenAI chat', OpenAiChatCompletionDto, CHAT_BASES, 7],
    ['agent', AgentCompletionDto, AGENT_BASES, 8],
  ] as const)(
    '%s: no body the predicate accepts is refused or changed by the full path',
    async (_name, dto, bases, seed) => {
      const accept = fastAcceptFor(dto)!;
      const fields = [...propertiesOf(dto), 'extra'];
      const rng = new Prng(seed);
      const corpus: Body[] = [...bases];
      // An own __proto__ key, as JSON.parse makes it.
      corpus.push(JSON.parse(`{"__proto__":{"x":1},${JSON.stringify(bases[0]).slice(1)}`) as Body);
      // Every field with every mutation (on the bases in turn)...
      let k = 0;
      for (const field of fields)
        for (const v of MUTATIONS) {
          const body = json(bases[k++ % bases.length]);
          if (v === DELETE) delete body[field];
          else body[field] = json(v);
          corpus.push(body);
        }
      // ...around the list limit (2,048 messages; few, the full path takes ~0.2 s each)...
      for (const length of [2048, 2049]) {
        corpus.push({ ...bases[0], messages: Array.from({ length }, () => text('user')) });
      }
      // ...and random near-valid mutations (one to three changes), 3,000 bodies in all.
      while (corpus.length < 3000) corpus.push(mutate(rng, rng.pick(bases), fields));

      let fastAccepted = 0;
      let fullRefused = 0;
      for (const body of corpus) {
        const fast = accept(body);
        let full: unknown;
        try {
          full = await pipe.validateFully(json(body), meta(dto));
        } catch {
          fullRefused++;
          full = undefined;
        }
        if (!fast) continue;
        fastAccepted++;
        if (full === undefined) {
          throw new Error(`fast lane accepted what the full path refuses: ${JSON.stringify(body)}`);
        }
        expect(json(full)).toEqual(json(body));
      }
      // Both lanes must be reached, or the property says nothing.
      expect(fastAccepted).toBeGreaterThan(100);
      expect(fullRefused).toBeGreaterThan(500);
    },
  );

  it('accepts the common bodies, so the fast lane pays', () => {
    const chat = fastAcceptFor(OpenAiChatCompletionDto)!;
    const agent = fastAcceptFor(AgentCompletionDto)!;
    for (const body of [CHAT_BASES[0], CHAT_BASES[1], CHAT_BASES[3]]) expect(chat(body)).toBe(true);
    // The tool round trip, but for the assistant's `content: null` (nulls are the full path's).
    const roundTrip = json(CHAT_BASES[2]) as { messages: Body[] };
    expect(chat(roundTrip)).toBe(false);
    roundTrip.messages[1].content = '';
    expect(chat(roundTrip)).toBe(true);
    expect(
      chat({
        model: 'openai/gpt-4o-mini',
        messages: Array.from({ length: 2048 }, (_, i) => text(i % 2 ? 'assistant' : 'user')),
        temperature: 0,
        n: 1,
      }),
    ).toBe(true);
    for (const body of AGENT_BASES.slice(0, 4)) expect(agent(body)).toBe(true);
    // images (@IsUrl) and url (@IsUrl, required for webhooks) are class-validator's to check.
    expect(agent(AGENT_BASES[4])).toBe(false);
  });

  it('keeps the DTO-level rules the decorators state', () => {
    const chat = fastAcceptFor(OpenAiChatCompletionDto)!;
    const agent = fastAcceptFor(AgentCompletionDto)!;
    // model and messages are required.
    expect(chat({ messages: [text('user')] })).toBe(false);
    expect(chat({ model: 'openai/gpt-4o-mini' })).toBe(false);
    // The agent needs agent_id (or bridge_id), and user or messages.
    expect(agent({ user: 'Hi' })).toBe(false);
    expect(agent({ agent_id: 'a' })).toBe(false);
    expect(agent({ agent_id: 'a', messages: [text('user')] })).toBe(true);
    // A tool message needs tool_call_id; another role does not.
    const tool = (m: Body) => chat({ model: 'm/x', messages: [m] });
    expect(tool({ role: 'tool', content: 'x' })).toBe(false);
    expect(tool({ role: 'tool', content: 'x', tool_call_id: 'c' })).toBe(true);
  });
});
