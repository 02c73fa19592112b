import Anthropic from '@anthropic-ai/sdk';
import { mockDirective } from '../mock-upstream/server';
import { startGatewayWithMock, type GatewayWithMock } from '../support/gateway-with-mock';
import { signToken } from '../support/test-app';

/**
 * POST /v1/messages details the @anthropic-ai/sdk surfaces: `stop_sequence` names the stop
 * sequence that ended the answer, usage carries prompt-cache reads and writes, and extended
 * `thinking` comes back as thinking blocks (thinking_delta / signature_delta while streaming) and
 * goes back to Claude with its turn — in JSON and in the SSE stream.
 */
describe('POST /v1/messages stop_sequence, cache usage, thinking (@anthropic-ai/sdk)', () => {
  let t: GatewayWithMock;
  let client: Anthropic;
  let n = 0;
  const key = () => `amu${process.pid}-${++n}`;
  const params = (model: string, text: string, directive: Record<string, unknown>) => ({
    model,
    max_tokens: 256,
    messages: [
      { role: 'user' as const, content: `${text} ${mockDirective({ key: key(), ...directive })}` },
    ],
  });

  beforeAll(async () => {
    t = await startGatewayWithMock();
    client = new Anthropic({ baseURL: t.gw.url, apiKey: signToken(), maxRetries: 0 });
  });
  afterAll(async () => {
    await t.close();
  });

  it('names the stop sequence an Anthropic model stopped at (JSON and stream)', async () => {
    const p = {
      ...params('anthropic/claude-sonnet-4-6', 'one two three', {}),
      stop_sequences: ['two'],
    };
    const msg = await client.messages.create(p);
    expect(msg).toMatchObject({
      stop_reason: 'stop_sequence',
      stop_sequence: 'two',
      content: [{ type: 'text', text: 'Echo: one ' }],
    });
    const streamed = await client.messages.stream(p).finalMessage();
    expect(streamed).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'two' });
  });

  it('reads end_turn for an OpenAI model, which does not say which stop sequence matched', async () => {
    const p = { ...params('openai/gpt-4o-mini', 'one two three', {}), stop_sequences: ['two'] };
    const msg = await client.messages.create(p);
    expect(msg).toMatchObject({ stop_reason: 'end_turn', stop_sequence: null });
    expect(msg.content).toEqual([{ type: 'text', text: 'Echo: one ' }]);
  });

  it('reports cache writes and reads of an Anthropic model (JSON and stream)', async () => {
    const p = params('anthropic/claude-sonnet-4-6', 'cached prompt', {
      cache_read: 40,
      cache_write: 100,
    });
    const plain = await client.messages.create(p);
    expect(plain.usage).toMatchObject({
      cache_creation_input_tokens: 100,
      cache_read_input_tokens: 40,
    });
    // input_tokens excludes both, as Anthropic's does: what the mock counted for the prompt.
    expect(plain.usage.input_tokens).toBeGreaterThan(0);
    expect(plain.usage.input_tokens).toBeLessThan(40);
    const streamed = await client.messages.stream(p).finalMessage();
    expect(streamed.usage).toMatchObject({
      input_tokens: plain.usage.input_tokens,
      cache_creation_input_tokens: 100,
      cache_read_input_tokens: 40,
    });
  });

  it("reports an OpenAI model's cached prompt tokens as cache reads", async () => {
    const msg = await client.messages.create(
      params('openai/gpt-4o-mini', 'cached prompt', { cache_read: 40 }),
    );
    expect(msg.usage).toMatchObject({
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 40,
    });
    expect(msg.usage.input_tokens).toBeGreaterThan(0);
    expect(msg.usage.input_tokens).toBeLessThan(40);
  });

  describe('thinking', () => {
    const thinking = { type: 'enabled' as const, budget_tokens: 1024 };
    const last = (k: string) => {
      const recorded = t.mock.requests({ key: k });
      return recorded[recorded.length - 1].body as Record<string, unknown>;
    };

    it('returns Claude thinking blocks before the text (JSON)', async () => {
      const k = key();
      const msg = await client.messages.create({
        model: 'anthropic/claude-sonnet-4-6',
        max_tokens: 4096,
        thinking,
        messages: [{ role: 'user', content: `ponder this ${mockDirective({ key: k })}` }],
      });
      expect(msg.content).toEqual([
        {
          type: 'thinking',
          thinking: 'Thinking about: ponder this',
          signature: expect.any(String),
        },
        { type: 'text', text: 'Echo: ponder this' },
      ]);
      expect(last(k).thinking).toEqual(thinking);
    });

    it('streams thinking_delta and signature_delta events that finalMessage() assembles', async () => {
      const stream = client.messages.stream({
        model: 'anthropic/claude-sonnet-4-6',
        max_tokens: 4096,
        thinking,
        messages: [{ role: 'user', content: `ponder this ${mockDirective({ key: key() })}` }],
      });
      const deltas: string[] = [];
      stream.on('streamEvent', (e) => {
        if (e.type === 'content_block_delta') deltas.push(`${e.index}:${e.delta.type}`);
      });
      const final = await stream.finalMessage();
      expect(deltas).toContain('0:thinking_delta');
      expect(deltas).toContain('0:signature_delta');
      expect(deltas).toContain('1:text_delta');
      expect(final.content[0]).toEqual({
        type: 'thinking',
        thinking: 'Thinking about: ponder this',
        signature: expect.stringMatching(/^sig_/),
      });
      expect(final.content[1]).toEqual({ type: 'text', text: 'Echo: ponder this' });
    });

    it('sends the signed thinking back to Claude with its turn in a tool loop', async () => {
      const k = key();
      const tools = [{ name: 'lookup', input_schema: { type: 'object' as const, properties: {} } }];
      const ask = {
        role: 'user' as const,
        content: `look it up ${mockDirective({ key: k, tool_call: [{ name: 'lookup', arguments: {} }] })}`,
      };
      const first = await client.messages.create({
        model: 'anthropic/claude-sonnet-4-6',
        max_tokens: 4096,
        thinking,
        tools,
        messages: [ask],
      });
      expect(first.stop_reason).toBe('tool_use');
      expect(first.content.map((b) => b.type)).toEqual(['thinking', 'tool_use']);
      const call = first.content[1];
      if (call.type !== 'tool_use') throw new Error('expected a tool_use block');
      // The mock, like Anthropic, refuses the follow-up unless the turn opens with its thinking.
      const second = await client.messages.create({
        model: 'anthropic/claude-sonnet-4-6',
        max_tokens: 4096,
        thinking,
        tools,
        messages: [
          ask,
          { role: 'assistant', content: first.content },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: call.id, content: 'found it' }],
          },
        ],
      });
      expect(second.content.map((b) => b.type)).toEqual(['thinking', 'text']);
      const resent = (last(k).messages as Array<{ content: unknown[] }>)[1].content[0];
      expect(resent).toEqual(first.content[0]);
    });

    it('drops thinking for a model without it (OpenAI): no thinking blocks', async () => {
      const k = key();
      const msg = await client.messages.create({
        model: 'openai/gpt-4o-mini',
        max_tokens: 4096,
        thinking,
        messages: [{ role: 'user', content: `ponder this ${mockDirective({ key: k })}` }],
      });
      expect(msg.content.map((b) => b.type)).toEqual(['text']);
      expect(last(k).thinking).toBeUndefined();
    });
  });
});
