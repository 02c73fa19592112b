import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mockDirective } from '../mock-upstream/server';
import { startGatewayWithMock, type GatewayWithMock } from '../support/gateway-with-mock';
import { json, type Json } from '../support/json';
import { signToken } from '../support/test-app';
import { BackgroundTasks } from '../../src/modules/completions/pipeline/background-tasks';

describe('POST /api/v2/model/chat/completion (agents, tools, history, cache)', () => {
  let t: GatewayWithMock;
  let toolServer: http.Server;
  let toolUrl: string;
  const toolCalls: Json[] = [];
  let n = 0;
  const key = () => `a${process.pid}-${++n}`;
  const admin = signToken({ scopes: ['admin'] });

  const call = (method: string, path: string, body?: unknown, token = admin) =>
    fetch(`${t.gw.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const create = async (path: string, body: unknown): Promise<Json> => {
    const res = await call('POST', path, body);
    const out = await json(res);
    if (res.status !== 201 && res.status !== 200)
      throw new Error(`${path}: ${res.status} ${JSON.stringify(out)}`);
    return out.data;
  };
  const complete = async (body: unknown, token = admin) => {
    const res = await call('POST', '/api/v2/model/chat/completion', body, token);
    return { status: res.status, body: await json(res) };
  };

  beforeAll(async () => {
    toolServer = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        toolCalls.push({ headers: req.headers, body: JSON.parse(raw || '{}') });
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({ temp_c: 18, city: (JSON.parse(raw || '{}') as { city?: string }).city }),
        );
      });
    });
    await new Promise<void>((r) => toolServer.listen(0, '127.0.0.1', r));
    toolUrl = `http://127.0.0.1:${(toolServer.address() as AddressInfo).port}/weather`;
    t = await startGatewayWithMock({ EGRESS_ALLOWLIST: '127.0.0.1' });
  });
  afterAll(async () => {
    await t.close();
    toolServer.closeAllConnections();
    await new Promise((r) => toolServer.close(r));
  });

  it('runs an agent with prompt variables and answers in the envelope', async () => {
    const agent = await create('/api/v1/agents', {
      name: `greeter-${key()}`,
      service: 'openai',
      model: 'gpt-4o-mini',
      prompt: 'You greet {{name}}.',
    });
    const k = key();
    const res = await complete({
      agent_id: agent.id,
      user: `hi ${mockDirective({ key: k })}`,
      variables: { name: 'Ada' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      success: true,
      data: {
        agent_id: agent.id,
        service: 'openai',
        model: 'gpt-4o-mini',
        content: 'Echo: hi',
        finish_reason: 'stop',
        cached: false,
        tool_calls: [],
      },
    });
    expect(res.body.data.usage.total_tokens).toBeGreaterThan(0);
    expect(typeof res.body.data.usage.cost_usd).toBe('number');
    expect(res.body.data.latency_ms).toBeGreaterThanOrEqual(0);
    const sent = t.mock.requests({ key: k })[0].body as Json;
    expect(sent.messages[0]).toEqual({ role: 'system', content: 'You greet Ada.' });
  });

  it('accepts bridge_id as an alias and names a missing variable in a 400', async () => {
    const agent = await create('/api/v1/agents', {
      name: `vars-${key()}`,
      service: 'openai',
      model: 'gpt-4o-mini',
      prompt: 'Hello {{name}} from {{city}}',
    });
    const res = await complete({ bridge_id: agent.id, user: 'hi', variables: { name: 'Ada' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('city'),
    });
  });

  it('validates configuration overrides against the model catalog', async () => {
    const agent = await create('/api/v1/agents', {
      name: `cfg-${key()}`,
      service: 'openai',
      model: 'gpt-4o-mini',
    });
    const res = await complete({
      agent_id: agent.id,
      user: 'hi',
      configuration: { temperature: 9 },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('temperature');
    const unknown = await complete({
      agent_id: agent.id,
      user: 'hi',
      configuration: { warp_speed: 1 },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('warp_speed');
  });

  it('keeps a thread and a sub-thread apart, in order, and serves them on the messages endpoint', async () => {
    const agent = await create('/api/v1/agents', {
      name: `hist-${key()}`,
      service: 'openai',
      model: 'gpt-4o-mini',
      prompt: 'sys',
    });
    const thread = `t-${key()}`;
    await complete({ agent_id: agent.id, thread_id: thread, user: 'one' });
    await t.gw.app.get(BackgroundTasks).drain();
    await complete({
      agent_id: agent.id,
      thread_id: thread,
      sub_thread_id: 'side',
      user: 'side note',
    });
    await t.gw.app.get(BackgroundTasks).drain();
    const k = key();
    await complete({
      agent_id: agent.id,
      thread_id: thread,
      user: `two ${mockDirective({ key: k })}`,
    });
    await t.gw.app.get(BackgroundTasks).drain();
    const sent = (t.mock.requests({ key: k })[0].body as Json).messages.map((m: Json) => [
      m.role,
      m.content,
    ]);
    expect(sent).toEqual([
      ['system', 'sys'],
      ['user', 'one'],
      ['assistant', 'Echo: one'],
      ['user', expect.stringContaining('two')],
    ]);
    const page = await json(await call('GET', `/api/v1/threads/${thread}/messages`));
    expect(page.data.map((m: Json) => m.content)).toEqual([
      'one',
      'Echo: one',
      expect.stringContaining('two'),
      'Echo: two',
    ]);
  });

  it('runs a stored tool in the gateway, validated and through the egress policy, and feeds the result back', async () => {
    const tool = await create('/api/v1/tools', {
      name: `get_weather_${n}`,
      description: 'weather',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      url: toolUrl,
      headers: { authorization: 'Bearer tool-secret' },
      timeout_ms: 2000,
    });
    const agent = await create('/api/v1/agents', {
      name: `tooly-${key()}`,
      service: 'openai',
      model: 'gpt-4o-mini',
      tool_ids: [tool.id],
    });
    const before = toolCalls.length;
    const res = await complete({
      agent_id: agent.id,
      user: `weather? ${mockDirective({ tool_call: { name: tool.name, arguments: { city: 'Paris' } } })}`,
    });
    expect(res.status).toBe(200);
    expect(toolCalls.length).toBe(before + 1);
    expect(toolCalls[before]).toMatchObject({
      body: { city: 'Paris' },
      headers: { authorization: 'Bearer tool-secret' },
    });
    expect(res.body.data.tool_calls).toEqual([
      expect.objectContaining({
        name: tool.name,
        arguments: '{"city":"Paris"}',
        result: '{"temp_c":18,"city":"Paris"}',
      }),
    ]);
    expect(res.body.data.content).toBe('Tool said: {"temp_c":18,"city":"Paris"}');
    expect(JSON.stringify(res.body)).not.toContain('tool-secret');

    // Invalid arguments never reach the tool; the model is told why.
    const bad = await complete({
      agent_id: agent.id,
      user: `again ${mockDirective({ tool_call: { name: tool.name, arguments: { town: 1 } } })}`,
    });
    expect(bad.status).toBe(200);
    expect(toolCalls.length).toBe(before + 1);
    expect(bad.body.data.tool_calls[0].result).toMatch(/arguments do not match the schema/);
  });

  it('refuses to call a tool on a blocked address (cloud metadata)', async () => {
    const tool = await create('/api/v1/tools', {
      name: `meta_${n}`,
      parameters: { type: 'object' },
      url: 'http://169.254.169.254/latest/meta-data',
      timeout_ms: 1000,
    });
    const agent = await create('/api/v1/agents', {
      name: `ssrf-${key()}`,
      service: 'openai',
      model: 'gpt-4o-mini',
      tool_ids: [tool.id],
    });
    const res = await complete({
      agent_id: agent.id,
      user: `x ${mockDirective({ tool_call: { name: tool.name, arguments: {} } })}`,
    });
    expect(res.status).toBe(200);
    expect(res.body.data.tool_calls[0].result).toMatch(/blocked by the egress policy/);
  });

  it('streams through tool rounds with the same content and usage as the JSON answer', async () => {
    const tool = await create('/api/v1/tools', {
      name: `stream_tool_${n}`,
      parameters: { type: 'object' },
      url: toolUrl,
    });
    const agent = await create('/api/v1/agents', {
      name: `streamer-${key()}`,
      service: 'openai',
      model: 'gpt-4o-mini',
      tool_ids: [tool.id],
    });
    const body = {
      agent_id: agent.id,
      user: `go ${mockDirective({ tool_call: { name: tool.name, arguments: { city: 'Oslo' } } })}`,
    };
    const plain = await complete(body);
    const res = await call('POST', '/api/v2/model/chat/completion', { ...body, stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = (await res.text())
      .split('\n\n')
      .filter((b) => b.startsWith('data: '))
      .map((b) => b.slice(6));
    expect(events[events.length - 1]).toBe('[DONE]');
    const parsed = events.slice(0, -1).map((e) => JSON.parse(e));
    expect(parsed[0].type).toBe('start');
    expect(parsed.filter((e) => e.type === 'tool_call')).toHaveLength(1);
    const text = parsed
      .filter((e) => e.type === 'delta')
      .map((e) => e.content)
      .join('');
    const done = parsed.find((e) => e.type === 'done');
    expect(text).toBe(plain.body.data.content);
    expect(done.data.content).toBe(plain.body.data.content);
    expect(done.data.usage).toEqual(plain.body.data.usage);
  });

  it('caches on request, replays as a stream, and keeps orgs apart', async () => {
    const agent = await create('/api/v1/agents', {
      name: `cache-${key()}`,
      service: 'openai',
      model: 'gpt-4o-mini',
    });
    const k = key();
    const body = {
      agent_id: agent.id,
      user: `cached ${mockDirective({ key: k })}`,
      cache: { ttl: 60 },
    };
    const first = await complete(body);
    const second = await complete(body);
    expect(first.body.data.cached).toBe(false);
    expect(second.body.data).toMatchObject({ cached: true, content: first.body.data.content });
    expect(second.body.data.usage.cost_usd).toBe(0);
    const streamed = await (
      await call('POST', '/api/v2/model/chat/completion', { ...body, stream: true })
    ).text();
    expect(streamed).toContain('"cached":true');
    expect(t.mock.requests({ key: k })).toHaveLength(1);
    const off = await complete({ ...body, cache: false });
    expect(off.body.data.cached).toBe(false);
    expect(t.mock.requests({ key: k })).toHaveLength(2);
    // Another org cannot even see the agent, let alone its cached answers.
    const other = await complete(body, signToken({ org_id: 'org-2', scopes: ['admin'] }));
    expect(other.status).toBe(404);
  });

  it("falls back to the agent's next model when the primary keeps failing", async () => {
    const agent = await create('/api/v1/agents', {
      name: `fb-${key()}`,
      service: 'openai',
      model: 'gpt-4o-mini',
      fallbacks: [{ service: 'anthropic', model: 'claude-haiku-4-5' }],
    });
    const k = key();
    // The primary fails every attempt for this key; the fallback (same mock, other route) answers.
    const res = await complete({
      agent_id: agent.id,
      user: `fb ${mockDirective({ key: k, fail_first: 3, status: 500 })}`,
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ service: 'anthropic', model: 'claude-haiku-4-5' });
  });

  it('sends image URLs to vision models as image parts', async () => {
    const agent = await create('/api/v1/agents', {
      name: `vision-${key()}`,
      service: 'openai',
      model: 'gpt-4o-mini',
    });
    const k = key();
    const res = await complete({
      agent_id: agent.id,
      user: `what is this ${mockDirective({ key: k })}`,
      images: ['https://example.com/cat.png'],
    });
    expect(res.status).toBe(200);
    const sent = t.mock.requests({ key: k })[0].body as Json;
    expect(sent.messages[sent.messages.length - 1].content).toEqual([
      { type: 'text', text: expect.stringContaining('what is this') },
      { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
    ]);
  });

  it('appends nothing to the thread when the call fails', async () => {
    const agent = await create('/api/v1/agents', {
      name: `fail-${key()}`,
      service: 'openai',
      model: 'gpt-4o-mini',
    });
    const thread = `tf-${key()}`;
    const res = await complete({
      agent_id: agent.id,
      thread_id: thread,
      user: `boom ${mockDirective({ status: 400 })}`,
    });
    expect(res.status).toBe(400);
    await t.gw.app.get(BackgroundTasks).drain();
    expect((await call('GET', `/api/v1/threads/${thread}/messages`)).status).toBe(404);
  });
});
