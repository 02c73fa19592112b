import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { mockDirective, type RecordedRequest } from '../mock-upstream/server';
import { eventually } from '../queue/eventually';
import { startReceiver, type Receiver } from '../queue/queue-harness';
import { startGatewayWithMock, type GatewayWithMock } from '../support/gateway-with-mock';
import { callJson } from '../support/json';
import { authHeaders, signToken } from '../support/test-app';
import { verifyWebhook } from '../../src/modules/queue/webhooks/webhook-signature';

/** An OpenAI model and an Anthropic one: the state is the gateway's, whatever answers. */
const MODELS = ['openai/gpt-4o-mini', 'anthropic/claude-sonnet-4-6'] as const;

type Msg = { role: string; content: unknown };

/** The text of every message an upstream request carried, in order (both wire formats). */
function upstreamTurns(r: RecordedRequest): Array<{ role: string; text: string }> {
  const body = r.body as { system?: unknown; messages: Msg[] };
  const text = (c: unknown): string =>
    typeof c === 'string'
      ? c
      : Array.isArray(c)
        ? c
            .map((p: { text?: string; content?: unknown }) =>
              typeof p.text === 'string' ? p.text : text(p.content ?? ''),
            )
            .join('')
        : '';
  const turns = body.messages.map((m) => ({ role: m.role, text: text(m.content) }));
  // Anthropic carries the system prompt beside the messages.
  return body.system === undefined
    ? turns
    : [{ role: 'system', text: text(body.system) }, ...turns];
}

/**
 * The Responses API's state through the official openai SDK: stored responses, chains,
 * conversations shared with threads, stored prompts and tools, background mode. `env` names
 * the stores and the queue (none: embedded PGlite and the in-process queue).
 */
export function describeResponsesApiState(
  name: string,
  env: () => Record<string, string | undefined>,
): void {
  describe(name, () => {
    let t: GatewayWithMock;
    let client: OpenAI;
    let org: string;
    let n = 0;
    const key = () => `rs${process.pid}-${++n}`;
    /** The single upstream request a key's call made. */
    const upstream = (k: string) => {
      const found = t.mock.requests({ key: k });
      expect(found).toHaveLength(1);
      return found[0];
    };

    let toolServer: http.Server;
    let toolUrl: string;
    const toolCalls: unknown[] = [];

    beforeAll(async () => {
      toolServer = http.createServer((req, res) => {
        let raw = '';
        req.on('data', (c: Buffer) => (raw += c.toString()));
        req.on('end', () => {
          const args = JSON.parse(raw || '{}') as { city?: string };
          toolCalls.push(args);
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ temp_c: 18, city: args.city }));
        });
      });
      await new Promise<void>((r) => toolServer.listen(0, '127.0.0.1', r));
      toolUrl = `http://127.0.0.1:${(toolServer.address() as AddressInfo).port}/weather`;
      t = await startGatewayWithMock({
        EGRESS_ALLOWLIST: '127.0.0.1',
        RATE_LIMIT_USER_PER_MINUTE: '0',
        RATE_LIMIT_THREAD_PER_MINUTE: '0',
        PROVIDER_MAX_RETRIES: '0',
        ...env(),
      });
    });
    afterAll(async () => {
      await t?.close();
      toolServer.closeAllConnections();
      await new Promise((r) => toolServer.close(r));
    });
    beforeEach(() => {
      org = `org-${randomUUID()}`;
      client = t.client({ org_id: org });
    });

    describe.each(MODELS)('with %s', (model) => {
      it('stores a response: retrieve, input items, delete', async () => {
        const k = key();
        const created = await client.responses.create({
          model,
          input: `remember this ${mockDirective({ key: k })}`,
          instructions: 'Be brief.',
          metadata: { ticket: 'T-1' },
        });
        expect(created.status).toBe('completed');
        expect((created as unknown as { store: boolean }).store).toBe(true);
        const got = await client.responses.retrieve(created.id);
        expect(got.id).toBe(created.id);
        expect(got.output_text).toBe(created.output_text);
        expect(got.output_text).toContain('remember this');
        expect(got.metadata).toEqual({ ticket: 'T-1' });

        const items = await client.responses.inputItems.list(created.id);
        expect(items.data).toHaveLength(1);
        expect(items.data[0]).toMatchObject({
          type: 'message',
          role: 'user',
          content: [{ type: 'input_text', text: expect.stringContaining('remember this') }],
        });
        expect(items.data[0].id).toEqual(expect.any(String));

        // Another org sees nothing of it.
        const stranger = t.client({ org_id: `org-${randomUUID()}` });
        await expect(stranger.responses.retrieve(created.id)).rejects.toBeInstanceOf(
          OpenAI.NotFoundError,
        );

        await client.responses.delete(created.id);
        await expect(client.responses.retrieve(created.id)).rejects.toBeInstanceOf(
          OpenAI.NotFoundError,
        );
      });

      it('stores a streamed response before its last event', async () => {
        const stream = await client.responses.create({
          model,
          input: 'stream and keep',
          stream: true,
        });
        let completed: OpenAI.Responses.Response | undefined;
        for await (const e of stream) if (e.type === 'response.completed') completed = e.response;
        expect(completed?.status).toBe('completed');
        const got = await client.responses.retrieve(completed!.id);
        expect(got.output).toEqual(completed!.output);
        const next = key();
        await client.responses.create({
          model,
          input: `continue ${mockDirective({ key: next })}`,
          previous_response_id: completed!.id,
        });
        expect(upstreamTurns(upstream(next)).map((x) => x.role)).toEqual([
          'user',
          'assistant',
          'user',
        ]);
      });

      it('does not keep a response created with store: false', async () => {
        const r = await client.responses.create({ model, input: 'forget me', store: false });
        expect((r as unknown as { store: boolean }).store).toBe(false);
        await expect(client.responses.retrieve(r.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
        await expect(
          client.responses.create({ model, input: 'and then?', previous_response_id: r.id }),
        ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
      });

      it('continues from previous_response_id without carrying the instructions over', async () => {
        const first = await client.responses.create({
          model,
          input: 'my name is Ada',
          instructions: 'Answer in French.',
        });
        const k = key();
        const second = await client.responses.create({
          model,
          input: `what is my name? ${mockDirective({ key: k })}`,
          previous_response_id: first.id,
        });
        expect(second.previous_response_id).toBe(first.id);
        const turns = upstreamTurns(upstream(k));
        expect(turns.map((x) => x.role)).toEqual(['user', 'assistant', 'user']);
        expect(turns[0].text).toBe('my name is Ada');
        expect(turns[1].text).toBe(first.output_text);
        expect(turns.some((x) => x.text.includes('French'))).toBe(false);

        // A third link sees the whole chain.
        const k3 = key();
        await client.responses.create({
          model,
          input: `and again ${mockDirective({ key: k3 })}`,
          previous_response_id: second.id,
        });
        expect(upstreamTurns(upstream(k3)).map((x) => x.role)).toEqual([
          'user',
          'assistant',
          'user',
          'assistant',
          'user',
        ]);
      });

      it('appends to a conversation that is also an agent-API thread', async () => {
        const conv = await client.conversations.create({
          metadata: { topic: 'greetings' },
          items: [{ type: 'message', role: 'user', content: 'earlier words' }],
        });
        expect(conv).toMatchObject({ object: 'conversation', metadata: { topic: 'greetings' } });
        const k = key();
        const r = await client.responses.create({
          model,
          conversation: conv.id,
          input: `hello ${mockDirective({ key: k })}`,
        });
        const turns = upstreamTurns(upstream(k));
        expect(turns.map((x) => x.text)).toEqual([
          'earlier words',
          expect.stringContaining('hello'),
        ]);

        const items = await client.conversations.items.list(conv.id, { order: 'asc' });
        expect(items.data.map((i) => i.type)).toEqual(['message', 'message', 'message']);
        const last = items.data[2] as OpenAI.Conversations.Message;
        expect(last.role).toBe('assistant');
        expect(last.content[0]).toMatchObject({ type: 'output_text', text: r.output_text });

        // The same conversation through the agent API's thread route.
        const thread = await callJson(
          t.gw.url,
          'GET',
          `/api/v1/threads/${conv.id}/messages`,
          authHeaders(signToken({ org_id: org })),
        );
        expect(thread.status).toBe(200);
        expect(thread.body.data.map((m: Msg) => m.role)).toEqual(['user', 'user', 'assistant']);
        expect(thread.body.data[2].content).toBe(r.output_text);

        // Another org cannot read, extend or delete it.
        const stranger = t.client({ org_id: `org-${randomUUID()}` });
        await expect(stranger.conversations.retrieve(conv.id)).rejects.toBeInstanceOf(
          OpenAI.NotFoundError,
        );
        await expect(stranger.conversations.items.list(conv.id)).rejects.toBeInstanceOf(
          OpenAI.NotFoundError,
        );
        await expect(
          stranger.responses.create({ model, conversation: conv.id, input: 'mine now' }),
        ).rejects.toBeInstanceOf(OpenAI.NotFoundError);

        const updated = await client.conversations.update(conv.id, { metadata: { topic: 'x' } });
        expect(updated.metadata).toEqual({ topic: 'x' });
        // Deleting a conversation deletes its thread: `admin`, as DELETE /api/v1/threads needs.
        await expect(client.conversations.delete(conv.id)).rejects.toBeInstanceOf(
          OpenAI.PermissionDeniedError,
        );
        const removed = await t
          .client({ org_id: org, scopes: ['admin'] })
          .conversations.delete(conv.id);
        expect(removed).toMatchObject({ id: conv.id, deleted: true });
        await expect(client.conversations.retrieve(conv.id)).rejects.toBeInstanceOf(
          OpenAI.NotFoundError,
        );
      });

      it('runs in the background: queued at once, then polled to completion', async () => {
        const k = key();
        const queued = await client.responses.create({
          model,
          input: `in the background ${mockDirective({ key: k })}`,
          background: true,
        });
        expect(['queued', 'in_progress']).toContain(queued.status);
        expect(queued.background).toBe(true);
        const done = await eventually('the background response to complete', async () => {
          const r = await client.responses.retrieve(queued.id);
          return r.status === 'completed' ? r : undefined;
        });
        expect(done.output_text).toContain('in the background');
        expect(done.usage?.output_tokens).toBeGreaterThan(0);
        upstream(k);
      });
    });

    it('runs a stored agent as `prompt`, filling its variables, and names a missing one', async () => {
      const admin = authHeaders(signToken({ org_id: org, scopes: ['admin'] }));
      const agent = await callJson(t.gw.url, 'POST', '/api/v1/agents', admin, {
        name: `greeter-${randomUUID().slice(0, 8)}`,
        service: 'anthropic',
        model: 'claude-sonnet-4-6',
        prompt: 'You greet {{name}}.',
      });
      expect(agent.status).toBe(201);
      const id = agent.body.data.id as string;
      const k = key();
      const r = await client.responses.create({
        prompt: { id, variables: { name: 'Ada' } },
        input: `hi ${mockDirective({ key: k })}`,
      });
      expect(r.status).toBe('completed');
      expect(upstreamTurns(upstream(k))[0]).toEqual({ role: 'system', text: 'You greet Ada.' });

      const missing = client.responses.create({ prompt: { id }, input: 'hi' });
      await expect(missing).rejects.toBeInstanceOf(OpenAI.BadRequestError);
      await expect(missing).rejects.toMatchObject({ message: expect.stringContaining('name') });
    });

    it('runs stored tools named in `tools` on the gateway, in a loop', async () => {
      const admin = authHeaders(signToken({ org_id: org, scopes: ['admin'] }));
      const tool = await callJson(t.gw.url, 'POST', '/api/v1/tools', admin, {
        name: `get_weather_${n}`,
        description: 'weather',
        parameters: {
          type: 'object',
          properties: { city: { type: 'string' } },
          required: ['city'],
        },
        url: toolUrl,
        timeout_ms: 2000,
      });
      expect(tool.status).toBe(201);
      const before = toolCalls.length;
      const r = await client.responses.create({
        model: 'openai/gpt-4o-mini',
        input: `weather? ${mockDirective({ tool_call: { name: tool.body.data.name, arguments: { city: 'Paris' } } })}`,
        // The gateway's own tool type: the org's stored tool, run here.
        tools: [
          { type: 'stored_tool', tool_id: tool.body.data.id } as unknown as OpenAI.Responses.Tool,
        ],
      });
      expect(toolCalls.slice(before)).toEqual([{ city: 'Paris' }]);
      expect(r.output_text).toBe('Tool said: {"temp_c":18,"city":"Paris"}');
      // Client function tools and stored tools do not mix.
      await expect(
        client.responses.create({
          model: 'openai/gpt-4o-mini',
          input: 'both',
          tools: [
            { type: 'stored_tool', tool_id: tool.body.data.id } as unknown as OpenAI.Responses.Tool,
            { type: 'function', name: 'f', parameters: null, strict: null },
          ],
        }),
      ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    });

    describe('background cancel and webhook', () => {
      let receiver: Receiver;
      beforeAll(async () => {
        receiver = await startReceiver();
      });
      afterAll(async () => {
        await receiver.close();
      });

      it('cancels a running background response and aborts its upstream call', async () => {
        const k = key();
        const queued = await client.responses.create({
          model: 'openai/gpt-4o-mini',
          input: `slow ${mockDirective({ key: k, delay_ms: 20_000 })}`,
          background: true,
        });
        await t.mock.waitFor((r) => r.key === k, 10_000);
        const cancelled = await client.responses.cancel(queued.id);
        expect(cancelled.status).toBe('cancelled');
        await t.mock.waitFor((r) => r.key === k && r.aborted === true, 10_000);
        expect((await client.responses.retrieve(queued.id)).status).toBe('cancelled');
        // Only a background response can be cancelled.
        const plain = await client.responses.create({ model: 'openai/gpt-4o-mini', input: 'hi' });
        await expect(client.responses.cancel(plain.id)).rejects.toBeInstanceOf(
          OpenAI.BadRequestError,
        );
      });

      it('signs and sends response.completed to x-webhook-url', async () => {
        receiver.requests.length = 0;
        const queued = await client.responses.create(
          { model: 'openai/gpt-4o-mini', input: 'tell me when done', background: true },
          { headers: { 'x-webhook-url': receiver.url } },
        );
        const hook = await eventually('the webhook', () => receiver.requests[0]);
        const event = JSON.parse(hook.body) as { type: string; data: { id: string } };
        expect(event).toMatchObject({ type: 'response.completed', data: { id: queued.id } });
        const secret = await callJson(
          t.gw.url,
          'GET',
          '/api/v1/webhook-secret',
          authHeaders(signToken({ org_id: org, scopes: ['admin'] })),
        );
        const sig = {
          signature: hook.headers['x-signature'] as string,
          timestamp: hook.headers['x-timestamp'] as string,
        };
        expect(verifyWebhook(secret.body.data.secret as string, sig, hook.body)).toBe(true);
        expect((await client.responses.retrieve(queued.id)).status).toBe('completed');
      });
    });
  });
}
