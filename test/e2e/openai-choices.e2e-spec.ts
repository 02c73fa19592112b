import OpenAI from 'openai';
import { mockDirective } from '../mock-upstream/server';
import { startGatewayWithMock, type GatewayWithMock } from '../support/gateway-with-mock';
import { json } from '../support/json';
import { signToken } from '../support/test-app';

/**
 * `n` > 1 on POST /v1/chat/completions, driven by the official openai SDK: served where the
 * catalog lists `n` for the model (several choices, JSON and stream), dropped and named (or a
 * 400 in strict mode) elsewhere, and refused where the answer could not be coherent.
 */
describe('POST /v1/chat/completions with n > 1 (openai SDK)', () => {
  let t: GatewayWithMock;
  let client: OpenAI;
  let seq = 0;
  /** A key unique to each call, so assertions on recorded upstream requests never collide. */
  const key = () => `n${process.pid}-${++seq}`;
  const ask = (k: string, text = 'hello') => [
    { role: 'user' as const, content: `${text} ${mockDirective({ key: k })}` },
  ];
  const sentBodies = (k: string) =>
    t.mock.requests({ key: k }).map((r) => r.body as Record<string, unknown>);
  const admin = signToken({ scopes: ['admin'] });
  const api = async (path: string, body: unknown) => {
    const res = await fetch(`${t.gw.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await json(res) };
  };

  beforeAll(async () => {
    t = await startGatewayWithMock();
    client = t.client();
  });
  afterAll(async () => {
    await t.close();
  });

  it('returns n distinct choices with indexes 0..n-1 on openai/gpt-4o-mini, billed as one call', async () => {
    const k = key();
    const { data, response } = await client.chat.completions
      .create({ model: 'openai/gpt-4o-mini', messages: ask(k), n: 3 })
      .withResponse();
    expect(response.headers.get('x-gateway-dropped-params')).toBeNull();
    expect(data.choices.map((c) => c.index)).toEqual([0, 1, 2]);
    expect(data.choices.map((c) => c.message.content)).toEqual([
      'Echo: hello [choice 0]',
      'Echo: hello [choice 1]',
      'Echo: hello [choice 2]',
    ]);
    for (const c of data.choices) expect(c.finish_reason).toBe('stop');
    const [sent] = sentBodies(k);
    expect(sent.n).toBe(3);
    // The usage is the upstream's total over every choice (the prompt once, every completion).
    const perChoice = Math.ceil('Echo: hello [choice 0]'.length / 4);
    expect(data.usage?.completion_tokens).toBe(3 * perChoice);
    expect(data.usage?.total_tokens).toBe((data.usage?.prompt_tokens ?? 0) + 3 * perChoice);
  });

  it('is never served from the cache, even when a TTL is asked for', async () => {
    const k = key();
    const body = { model: 'openai/gpt-4o-mini', messages: ask(k), n: 2, temperature: 0 };
    const opts = { headers: { 'x-cache-ttl': '60' } };
    const first = await client.chat.completions.create(body, opts).withResponse();
    const second = await client.chat.completions.create(body, opts).withResponse();
    expect(first.response.headers.get('x-cache')).toBe('miss');
    expect(second.response.headers.get('x-cache')).toBe('miss');
    expect(second.data.choices).toHaveLength(2);
    expect(sentBodies(k)).toHaveLength(2);
  });

  it('streams the chunks of every choice under its index, with a finish per choice', async () => {
    const k = key();
    const stream = await client.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: ask(k),
      n: 2,
      stream: true,
      stream_options: { include_usage: true },
    });
    const text = new Map<number, string>();
    const finish = new Map<number, string>();
    let usageChunks = 0;
    for await (const chunk of stream) {
      if (chunk.usage) usageChunks++;
      for (const c of chunk.choices) {
        text.set(c.index, (text.get(c.index) ?? '') + (c.delta.content ?? ''));
        if (c.finish_reason) finish.set(c.index, c.finish_reason);
      }
    }
    expect([...text.keys()].sort()).toEqual([0, 1]);
    expect(text.get(0)).toBe('Echo: hello [choice 0]');
    expect(text.get(1)).toBe('Echo: hello [choice 1]');
    expect(Object.fromEntries(finish)).toEqual({ 0: 'stop', 1: 'stop' });
    expect(usageChunks).toBe(1);
    expect(sentBodies(k)[0].n).toBe(2);
  });

  it("accumulates both choices through the SDK's stream() helper", async () => {
    const k = key();
    const runner = client.chat.completions.stream({
      model: 'openai/gpt-4o-mini',
      messages: ask(k, 'again'),
      n: 2,
    });
    const final = await runner.finalChatCompletion();
    expect(final.choices.map((c) => [c.index, c.message.content])).toEqual([
      [0, 'Echo: again [choice 0]'],
      [1, 'Echo: again [choice 1]'],
    ]);
  });

  it('drops n and names it on an Anthropic model (one choice), and strict mode refuses it', async () => {
    const k = key();
    const { data, response } = await client.chat.completions
      .create({ model: 'anthropic/claude-haiku-4-5', messages: ask(k), n: 2 })
      .withResponse();
    expect(response.headers.get('x-gateway-dropped-params')).toBe('n');
    expect(data.choices).toHaveLength(1);
    expect(data.choices[0].message.content).toBe('Echo: hello');
    expect(sentBodies(k)[0]).not.toHaveProperty('n');

    const ks = key();
    const strict = client.chat.completions.create(
      { model: 'anthropic/claude-haiku-4-5', messages: ask(ks), n: 2 },
      { headers: { 'x-gateway-strict-params': 'true' } },
    );
    await expect(strict).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(strict).rejects.toMatchObject({ status: 400, param: 'n' });
    expect(sentBodies(ks)).toHaveLength(0);
  });

  it('refuses n > 1 for an agent whose stored tools run in the gateway, and on the agent API', async () => {
    const tool = await api('/api/v1/tools', {
      name: `lookup_${process.pid}_${++seq}`,
      parameters: { type: 'object' },
      // Never called: the request is refused before any provider call or tool run.
      url: 'http://127.0.0.1:9/unused',
    });
    expect([200, 201]).toContain(tool.status);
    const agent = await api('/api/v1/agents', {
      name: `choices-${key()}`,
      service: 'openai',
      model: 'gpt-4o-mini',
      tool_ids: [tool.body.data.id],
    });
    expect([200, 201]).toContain(agent.status);
    const k = key();
    const viaChat = client.chat.completions.create({
      model: `agent/${agent.body.data.id as string}`,
      messages: ask(k),
      n: 2,
    });
    await expect(viaChat).rejects.toMatchObject({ status: 400, param: 'n' });

    const viaAgentApi = await api('/api/v2/model/chat/completion', {
      agent_id: agent.body.data.id,
      user: `hi ${mockDirective({ key: k })}`,
      configuration: { n: 2 },
    });
    expect(viaAgentApi.status).toBe(400);
    expect(JSON.stringify(viaAgentApi.body)).toMatch(/n > 1 is not served/);
    expect(sentBodies(k)).toHaveLength(0);
  });
});
