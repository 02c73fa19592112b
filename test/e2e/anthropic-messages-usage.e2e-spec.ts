import Anthropic from '@anthropic-ai/sdk';
import { mockDirective } from '../mock-upstream/server';
import { startGatewayWithMock, type GatewayWithMock } from '../support/gateway-with-mock';
import { signToken } from '../support/test-app';

/**
 * POST /v1/messages details the @anthropic-ai/sdk surfaces: `stop_sequence` names the stop
 * sequence that ended the answer, and usage carries prompt-cache reads and writes, in JSON and
 * in the SSE stream (`message_delta` usage, assembled by finalMessage()).
 */
describe('POST /v1/messages stop_sequence and cache usage (@anthropic-ai/sdk)', () => {
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
});
