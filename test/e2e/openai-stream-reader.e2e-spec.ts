import type OpenAI from 'openai';
import { mockDirective } from '../mock-upstream/server';
import { startGatewayWithMock, type GatewayWithMock } from '../support/gateway-with-mock';
import { json } from '../support/json';
import { authHeaders, signToken } from '../support/test-app';
import { BackgroundTasks } from '../../src/modules/completions/pipeline/background-tasks';

/**
 * OpenAI-compatible services' event streams are read by the gateway's own SSE reader (not the
 * SDK's decoder). Through it, every such service's stream must say what its JSON answer says
 * (content with multi-byte characters, tool calls, usage with cached tokens, finish reason),
 * and a streamed answer must be recorded like any other (thread history, call log).
 */
describe('OpenAI-compatible streams read by the gateway', () => {
  let t: GatewayWithMock;
  let n = 0;
  const key = () => `sr${process.pid}-${++n}`;

  beforeAll(async () => {
    t = await startGatewayWithMock();
  });
  afterAll(async () => {
    await t.close();
  });

  /** Collects an OpenAI SDK stream into what a client would show. */
  async function collect(stream: AsyncIterable<OpenAI.ChatCompletionChunk>) {
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null = null;
    const calls = new Map<number, { id: string; name: string; arguments: string }>();
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (!choice) continue;
      if (choice.delta.content) text += choice.delta.content;
      for (const c of choice.delta.tool_calls ?? []) {
        const call = calls.get(c.index) ?? { id: '', name: '', arguments: '' };
        if (c.id) call.id = c.id;
        if (c.function?.name) call.name = c.function.name;
        call.arguments += c.function?.arguments ?? '';
        calls.set(c.index, call);
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    }
    return { text, usage, finish, calls: [...calls.values()] };
  }

  // Mistral is left out: its requests carry no `stream_options`, and the mock (OpenAI's wire
  // format) sends a usage chunk only when asked, so its streamed usage is empty by design.
  it.each([
    'openai/gpt-4o-mini',
    'groq/llama-3.3-70b-versatile',
    'gemini/gemini-2.5-flash',
    'openrouter/meta-llama/llama-3.1-8b-instruct',
  ])(
    '%s: multi-byte content in many chunks, usage and finish equal the JSON answer',
    async (model) => {
      const client = t.client({ org_id: `org-sr-${key()}` });
      const content = `héllo wörld, 日本語のテキスト, emoji 🎉🚀 and "quotes" \\ back`;
      const messages = [
        {
          role: 'user' as const,
          content: `say it ${mockDirective({ content, chunks: 9, cache_read: 4 })}`,
        },
      ];
      const plain = await client.chat.completions.create({ model, messages });
      const streamed = await collect(
        await client.chat.completions.create({
          model,
          messages,
          stream: true,
          stream_options: { include_usage: true },
        }),
      );
      expect(plain.choices[0].message.content).toBe(content);
      expect(streamed.text).toBe(content);
      expect(streamed.finish).toBe(plain.choices[0].finish_reason);
      expect(streamed.usage).toEqual(plain.usage);
    },
  );

  it('streams client tool calls that match the JSON answer', async () => {
    const client = t.client({ org_id: `org-sr-${key()}` });
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: 'function',
        function: {
          name: 'lookup',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ];
    const messages = [
      {
        role: 'user' as const,
        content: `weather? ${mockDirective({ tool_call: [{ name: 'lookup', arguments: { city: 'Zürich 東京' } }] })}`,
      },
    ];
    const plain = await client.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages,
      tools,
    });
    const streamed = await collect(
      await client.chat.completions.create({
        model: 'openai/gpt-4o-mini',
        messages,
        tools,
        stream: true,
      }),
    );
    const call = plain.choices[0].message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    expect(streamed.finish).toBe('tool_calls');
    expect(streamed.calls).toHaveLength(1);
    expect(streamed.calls[0].name).toBe('lookup');
    expect(JSON.parse(streamed.calls[0].arguments)).toEqual({ city: 'Zürich 東京' });
    expect(JSON.parse(streamed.calls[0].arguments)).toEqual(
      JSON.parse(call?.type === 'function' ? call.function.arguments : ''),
    );
  });

  it('records a streamed answer in the thread and the call log', async () => {
    const k = key();
    const org = `org-sr-${k}`;
    const thread = `th-${k}`;
    const content = 'streamed and stored ✓';
    const res = await fetch(`${t.gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        ...authHeaders(signToken({ org_id: org })),
        'content-type': 'application/json',
        'x-thread-id': thread,
      },
      body: JSON.stringify({
        model: 'openai/gpt-4o-mini',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: `store it ${mockDirective({ content, chunks: 5 })}` }],
      }),
    });
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body.endsWith('data: [DONE]\n\n')).toBe(true);

    await t.gw.app.get(BackgroundTasks).drain();
    const headers = authHeaders(signToken({ org_id: org, scopes: ['admin'] }));
    const history = await json(
      await fetch(`${t.gw.url}/api/v1/threads/${thread}/messages`, { headers }),
    );
    const stored = history.data as { role: string; content: unknown }[];
    expect(stored.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(stored[1].content).toBe(content);
    const logs = (await json(await fetch(`${t.gw.url}/api/v1/call-logs`, { headers }))).data as {
      outcome: string;
      thread_id: string;
      output_tokens: number;
    }[];
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ outcome: 'success', thread_id: thread });
    expect(logs[0].output_tokens).toBeGreaterThan(0);
  });
});
