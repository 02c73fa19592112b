import Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { BackgroundTasks } from '../../src/modules/completions/pipeline/background-tasks';
import { mockDirective } from '../mock-upstream/server';
import { startGatewayWithMock, type GatewayWithMock } from '../support/gateway-with-mock';
import { authHeaders, signToken } from '../support/test-app';

/**
 * The recorded cost of a call — in the call log and in the usage metrics — is the catalog's
 * price sheet applied to the usage the provider reported, for each wire format, streamed or not,
 * with cache reads, cache writes (5-minute and 1-hour) and reasoning tokens. Each expected
 * figure is written from the price sheet by hand (USD per million tokens), not computed by the
 * gateway's own pricing code; the counts come from the usage the client was sent.
 */
describe('exact cost of recorded calls, per wire format (official SDKs)', () => {
  let t: GatewayWithMock;
  let n = 0;
  const newOrg = () => `org-cost-${process.pid}-${++n}`;
  const admin = (org: string) => authHeaders(signToken({ org_id: org, scopes: ['admin'] }));

  beforeAll(async () => {
    t = await startGatewayWithMock();
  });
  afterAll(async () => {
    await t.close();
  });

  /** The org's call-log costs, oldest first, once background writes are done. */
  async function recordedCosts(org: string): Promise<Array<number | null>> {
    await t.gw.app.get(BackgroundTasks).drain();
    const res = await fetch(`${t.gw.url}/api/v1/call-logs?limit=50`, { headers: admin(org) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: Array<{ cost_usd: number | null }> };
    return body.data.map((l) => l.cost_usd).reverse();
  }

  /** The org's summed cost in the usage metrics (one bucket: one model, one day). */
  async function meteredCost(org: string): Promise<number> {
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 3600_000).toISOString();
    const res = await fetch(
      `${t.gw.url}/api/v1/metrics/usage?from=${from}&to=${to}&interval=1d&group_by=model`,
      { headers: admin(org) },
    );
    const body = (await res.json()) as { data: { buckets: Array<{ cost_usd: number }> } };
    expect(body.data.buckets).toHaveLength(1);
    return body.data.buckets[0].cost_usd;
  }

  describe('OpenAI chat format', () => {
    /** Four calls of one prompt: JSON, stream with usage, stream without, and the total. */
    async function fourWays(
      client: OpenAI,
      model: string,
      prompt: string,
    ): Promise<OpenAI.CompletionUsage> {
      const params = { model, messages: [{ role: 'user' as const, content: prompt }] };
      const json = await client.chat.completions.create(params);
      const withUsage = await client.chat.completions.create({
        ...params,
        stream: true,
        stream_options: { include_usage: true },
      });
      let streamed: OpenAI.CompletionUsage | undefined;
      for await (const c of withUsage) if (c.usage) streamed = c.usage;
      expect(streamed).toEqual(json.usage);
      // A client that did not ask for usage gets none; the gateway asked for it anyway.
      const silent = await client.chat.completions.create({ ...params, stream: true });
      for await (const c of silent) expect(c.usage ?? null).toBeNull();
      return json.usage!;
    }

    it('prices cached and reasoning tokens of gpt-5-mini (JSON, streams with and without usage)', async () => {
      const org = newOrg();
      const client = t.client({ org_id: org });
      const u = await fourWays(
        client,
        'openai/gpt-5-mini',
        `price me ${mockDirective({ cache_read: 1024, reasoning: 300 })}`,
      );
      expect(u.prompt_tokens_details?.cached_tokens).toBe(1024);
      expect(u.completion_tokens_details?.reasoning_tokens).toBe(300);
      // gpt-5-mini: $0.25 input, $0.025 cached input, $2 output (reasoning included).
      const expected =
        ((u.prompt_tokens - 1024) * 0.25 + 1024 * 0.025 + u.completion_tokens * 2) / 1e6;
      const costs = await recordedCosts(org);
      expect(costs).toHaveLength(3);
      for (const c of costs) expect(c).toBeCloseTo(expected, 9);
      expect(await meteredCost(org)).toBeCloseTo(3 * expected, 9);
    });

    it('bills Gemini 2.5 Pro at its long-context tier above 200k prompt tokens', async () => {
      const org = newOrg();
      const client = t.client({ org_id: org });
      const below = await fourWays(
        client,
        'gemini/gemini-2.5-pro',
        `short ${mockDirective({ cache_read: 150_000, reasoning: 64 })}`,
      );
      const above = await fourWays(
        client,
        'gemini/gemini-2.5-pro',
        `long ${mockDirective({ cache_read: 250_000, reasoning: 64 })}`,
      );
      expect(below.prompt_tokens).toBeLessThanOrEqual(200_000);
      expect(above.prompt_tokens).toBeGreaterThan(200_000);
      // Up to 200k prompt tokens: $1.25 input, $0.125 cached, $10 output; above: $2.50, $0.25, $15.
      const cheap =
        ((below.prompt_tokens - 150_000) * 1.25 + 150_000 * 0.125 + below.completion_tokens * 10) /
        1e6;
      const dear =
        ((above.prompt_tokens - 250_000) * 2.5 + 250_000 * 0.25 + above.completion_tokens * 15) /
        1e6;
      const costs = await recordedCosts(org);
      expect(costs).toHaveLength(6);
      costs.slice(0, 3).forEach((c) => expect(c).toBeCloseTo(cheap, 9));
      costs.slice(3).forEach((c) => expect(c).toBeCloseTo(dear, 9));
    });

    it('prices an Anthropic model asked in the OpenAI format, cache writes included', async () => {
      const org = newOrg();
      const client = t.client({ org_id: org });
      const u = await fourWays(
        client,
        'anthropic/claude-haiku-4-5',
        `via openai ${mockDirective({ cache_read: 2000, cache_write: 500, cache_write_1h: 250 })}`,
      );
      // prompt_tokens holds every input token: plain, 2000 read, 750 written.
      const plain = u.prompt_tokens - 2000 - 750;
      expect(plain).toBeGreaterThan(0);
      // Haiku 4.5: $1 input, $0.10 cache read, $1.25 5-minute write, $2 1-hour write, $5 output.
      const expected =
        (plain * 1 + 2000 * 0.1 + 500 * 1.25 + 250 * 2 + u.completion_tokens * 5) / 1e6;
      const costs = await recordedCosts(org);
      expect(costs).toHaveLength(3);
      for (const c of costs) expect(c).toBeCloseTo(expected, 9);
    });
  });

  describe('Anthropic Messages format', () => {
    it('prices cache reads, 5-minute and 1-hour writes of Claude Sonnet 4.6 (JSON and stream)', async () => {
      const org = newOrg();
      const client = new Anthropic({
        baseURL: t.gw.url,
        apiKey: signToken({ org_id: org }),
        maxRetries: 0,
      });
      const params = {
        model: 'anthropic/claude-sonnet-4-6',
        max_tokens: 256,
        messages: [
          {
            role: 'user' as const,
            content: `cache me ${mockDirective({ cache_read: 4000, cache_write: 1000, cache_write_1h: 600 })}`,
          },
        ],
      };
      const json = await client.messages.create(params);
      const streamed = await client.messages.stream(params).finalMessage();
      expect(streamed.usage).toMatchObject({
        input_tokens: json.usage.input_tokens,
        output_tokens: json.usage.output_tokens,
      });
      expect(json.usage).toMatchObject({
        cache_read_input_tokens: 4000,
        cache_creation_input_tokens: 1600,
      });
      const { input_tokens: plain, output_tokens: out } = json.usage;
      // Sonnet 4.6: $3 input, $0.30 cache read, $3.75 5-minute write, $6 1-hour write, $15 output.
      const expected = (plain * 3 + 4000 * 0.3 + 1000 * 3.75 + 600 * 6 + out * 15) / 1e6;
      const costs = await recordedCosts(org);
      expect(costs).toHaveLength(2);
      for (const c of costs) expect(c).toBeCloseTo(expected, 9);
      expect(await meteredCost(org)).toBeCloseTo(2 * expected, 9);
    });

    it('prices an OpenAI model asked in the Anthropic format, cache reads and reasoning', async () => {
      const org = newOrg();
      const client = new Anthropic({
        baseURL: t.gw.url,
        apiKey: signToken({ org_id: org }),
        maxRetries: 0,
      });
      const params = {
        model: 'openai/gpt-4.1-mini',
        max_tokens: 256,
        messages: [
          {
            role: 'user' as const,
            content: `mixed ${mockDirective({ cache_read: 512, reasoning: 20 })}`,
          },
        ],
      };
      const json = await client.messages.create(params);
      await client.messages.stream(params).finalMessage();
      expect(json.usage.cache_read_input_tokens).toBe(512);
      // gpt-4.1-mini: $0.40 input, $0.10 cached input, $1.60 output.
      const expected =
        (json.usage.input_tokens * 0.4 + 512 * 0.1 + json.usage.output_tokens * 1.6) / 1e6;
      const costs = await recordedCosts(org);
      expect(costs).toHaveLength(2);
      for (const c of costs) expect(c).toBeCloseTo(expected, 9);
    });
  });

  describe('OpenAI Responses format', () => {
    it('prices cached and reasoning tokens of gpt-5-mini (JSON and stream)', async () => {
      const org = newOrg();
      const client = t.client({ org_id: org });
      const params = {
        model: 'openai/gpt-5-mini',
        input: `respond ${mockDirective({ cache_read: 2048, reasoning: 128 })}`,
        store: false,
      };
      const json = await client.responses.create(params);
      const stream = await client.responses.create({ ...params, stream: true });
      let streamed: OpenAI.Responses.ResponseUsage | undefined;
      for await (const e of stream)
        if (e.type === 'response.completed') streamed = e.response.usage;
      const u = json.usage!;
      expect(streamed).toEqual(u);
      expect(u.input_tokens_details.cached_tokens).toBe(2048);
      expect(u.output_tokens_details.reasoning_tokens).toBe(128);
      // gpt-5-mini: $0.25 input, $0.025 cached input, $2 output (reasoning included).
      const expected = ((u.input_tokens - 2048) * 0.25 + 2048 * 0.025 + u.output_tokens * 2) / 1e6;
      const costs = await recordedCosts(org);
      expect(costs).toHaveLength(2);
      for (const c of costs) expect(c).toBeCloseTo(expected, 9);
    });
  });

  describe('agent API', () => {
    it("answers with the call's cost (JSON and stream) and records the same", async () => {
      const org = newOrg();
      const headers = { ...admin(org), 'content-type': 'application/json' };
      const created = await fetch(`${t.gw.url}/api/v1/agents`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          name: `cost-${org}`,
          service: 'anthropic',
          model: 'claude-haiku-4-5',
          prompt: 'You answer briefly.',
        }),
      });
      expect(created.status).toBe(201);
      const agent = ((await created.json()) as { data: { id: string } }).data;
      const ask = {
        agent_id: agent.id,
        user: `agent cost ${mockDirective({ cache_read: 3000, cache_write: 700 })}`,
        cache: false,
      };
      const res = await fetch(`${t.gw.url}/api/v2/model/chat/completion`, {
        method: 'POST',
        headers,
        body: JSON.stringify(ask),
      });
      expect(res.status).toBe(200);
      const { usage } = (
        (await res.json()) as {
          data: {
            usage: {
              input_tokens: number;
              output_tokens: number;
              cached_tokens: number;
              cost_usd: number;
            };
          };
        }
      ).data;
      expect(usage.cached_tokens).toBe(3000);
      // input_tokens holds every prompt token: plain, 3000 read, 700 written (5-minute).
      // Haiku 4.5: $1 input, $0.10 cache read, $1.25 5-minute write, $5 output.
      const expected =
        ((usage.input_tokens - 3000 - 700) * 1 +
          3000 * 0.1 +
          700 * 1.25 +
          usage.output_tokens * 5) /
        1e6;
      expect(usage.cost_usd).toBeCloseTo(expected, 9);
      // The stream's final `done` event carries the same usage and cost.
      const streamed = await fetch(`${t.gw.url}/api/v2/model/chat/completion`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ ...ask, stream: true }),
      });
      const done = (await streamed.text())
        .split('\n\n')
        .filter((b) => b.startsWith('data: {'))
        .map((b) => JSON.parse(b.slice(6)) as { type: string; data?: { usage: unknown } })
        .find((e) => e.type === 'done');
      expect(done?.data?.usage).toEqual(usage);
      const costs = await recordedCosts(org);
      expect(costs).toHaveLength(2);
      for (const c of costs) expect(c).toBeCloseTo(expected, 9);
    });
  });

  describe('Anthropic cache_control reaches Anthropic unchanged', () => {
    it('on system blocks, message blocks, tool results and tools (/v1/messages)', async () => {
      const org = newOrg();
      const key = `cc-${process.pid}`;
      const client = new Anthropic({
        baseURL: t.gw.url,
        apiKey: signToken({ org_id: org }),
        maxRetries: 0,
      });
      const mark = { type: 'ephemeral' as const };
      const longMark = { type: 'ephemeral' as const, ttl: '1h' as const };
      await client.messages.create({
        model: 'anthropic/claude-sonnet-4-6',
        max_tokens: 256,
        system: [
          { type: 'text', text: 'You are terse.' },
          { type: 'text', text: 'A long shared corpus.', cache_control: longMark },
        ],
        tools: [
          {
            name: 'lookup',
            input_schema: { type: 'object', properties: {} },
            cache_control: mark,
          },
        ],
        messages: [
          { role: 'user', content: 'look it up' },
          {
            role: 'assistant',
            content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: {} }],
          },
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                tool_use_id: 'toolu_1',
                content: 'found',
                cache_control: mark,
              },
              {
                type: 'text',
                text: `and now? ${mockDirective({ key })}`,
                cache_control: mark,
              },
            ],
          },
        ],
      });
      const [sent] = t.mock.requests({ key });
      const body = sent.body as Record<string, unknown>;
      expect(body.system).toEqual([
        { type: 'text', text: 'You are terse.' },
        { type: 'text', text: 'A long shared corpus.', cache_control: longMark },
      ]);
      expect(body.tools).toEqual([
        expect.objectContaining({ name: 'lookup', cache_control: mark }),
      ]);
      // The tool results go first, in their own user turn (as the adapter always sends them).
      expect((body.messages as unknown[]).slice(2)).toEqual([
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'found', cache_control: mark },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'text', text: `and now? ${mockDirective({ key })}`, cache_control: mark },
          ],
        },
      ]);
    });

    it('from OpenAI-format content parts to an Anthropic model; left out for OpenAI', async () => {
      const org = newOrg();
      const client = t.client({ org_id: org });
      const mark = { type: 'ephemeral' };
      const ask = async (model: string, key: string) => {
        const messages = [
          { role: 'system', content: [{ type: 'text', text: 'Corpus.', cache_control: mark }] },
          {
            role: 'user',
            content: [{ type: 'text', text: `q ${mockDirective({ key })}`, cache_control: mark }],
          },
        ] as unknown as OpenAI.ChatCompletionMessageParam[];
        await client.chat.completions.create({ model, messages });
        return t.mock.requests({ key })[0].body as Record<string, unknown>;
      };
      const claude = await ask('anthropic/claude-haiku-4-5', `cco-a-${process.pid}`);
      expect(claude.system).toEqual([{ type: 'text', text: 'Corpus.', cache_control: mark }]);
      expect(claude.messages).toEqual([
        {
          role: 'user',
          content: [
            {
              type: 'text',
              text: `q ${mockDirective({ key: `cco-a-${process.pid}` })}`,
              cache_control: mark,
            },
          ],
        },
      ]);
      const gpt = await ask('openai/gpt-4o-mini', `cco-o-${process.pid}`);
      expect(JSON.stringify(gpt)).not.toContain('cache_control');
    });
  });
});
