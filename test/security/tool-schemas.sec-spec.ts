import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mockDirective } from '../mock-upstream/server';
import { startGatewayWithMock, type GatewayWithMock } from '../support/gateway-with-mock';
import { callJson } from '../support/json';
import { authHeaders, signToken } from '../support/test-app';

/**
 * Issue 14, majors 5 and 6 and the tool redirect rule, replayed through the HTTP API:
 * - ReDoS: a tenant's `pattern` evaluated on a model-supplied argument must not block the process;
 * - one Ajv for all orgs: two orgs with the same `$id`, and an edited tool, must keep working;
 * - a tool's redirect to another origin must not carry its headers or body there.
 */

interface Received {
  path?: string;
  method?: string;
  authorization?: string;
  body: string;
}

/** A tool endpoint: `/ok` answers, `/redirect` sends the caller to the other origin. */
async function startToolServer(otherOrigin: () => string) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({
        path: req.url,
        method: req.method,
        authorization: req.headers.authorization,
        body,
      });
      if (req.url?.startsWith('/redirect')) {
        res.writeHead(Number(req.url.split('=')[1] ?? 302), {
          location: `${otherOrigin()}/landing`,
        });
        res.end();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    received,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

describe('tool schemas and tool egress (issue 14)', () => {
  let g: GatewayWithMock;
  let tools: Awaited<ReturnType<typeof startToolServer>>;
  let elsewhere: Awaited<ReturnType<typeof startToolServer>>;
  let seq = 0;
  const unique = () => `${process.pid}_${++seq}`;

  beforeAll(async () => {
    elsewhere = await startToolServer(() => 'http://127.0.0.1:1');
    tools = await startToolServer(() => elsewhere.url);
    // Both tool servers are private: allowlisted by host:port, as a deployment would.
    g = await startGatewayWithMock({
      EGRESS_ALLOWLIST: `127.0.0.1:${tools.port},127.0.0.1:${elsewhere.port}`,
    });
  });
  afterAll(async () => {
    await g?.close();
    await tools?.close();
    await elsewhere?.close();
  });

  const tokenFor = (org: string) => signToken({ sub: `u-${org}`, org_id: org, scopes: ['admin'] });
  const call = (org: string, method: string, route: string, body?: unknown) =>
    callJson(g.gw.url, method, route, authHeaders(tokenFor(org)), body);
  async function toolAndAgent(org: string, tool: Record<string, unknown>) {
    const t = await call(org, 'POST', '/api/v1/tools', {
      url: `${tools.url}/ok`,
      timeout_ms: 2000,
      ...tool,
    });
    expect(t.status).toBe(201);
    const a = await call(org, 'POST', '/api/v1/agents', {
      name: `agent-${unique()}`,
      service: 'openai',
      model: 'gpt-4o-mini',
      tool_ids: [t.body.data.id],
    });
    expect(a.status).toBe(201);
    return { tool: t.body.data, agent: a.body.data };
  }
  const runTool = (org: string, agentId: string, name: string, args: unknown) =>
    call(org, 'POST', '/api/v2/model/chat/completion', {
      agent_id: agentId,
      user: `go ${mockDirective({ tool_call: { name, arguments: args } })}`,
    });

  describe('ReDoS through a tool schema (major 5)', () => {
    it('evaluates "^(a+)+$" on a 29-character argument without blocking the event loop', async () => {
      const org = `org-redos-${unique()}`;
      const name = `match_${unique()}`;
      const { agent } = await toolAndAgent(org, {
        name,
        parameters: {
          type: 'object',
          properties: { s: { type: 'string', pattern: '^(a+)+$' } },
          required: ['s'],
        },
      });
      const attack = `${'a'.repeat(29)}!`;
      const delay = monitorEventLoopDelay({ resolution: 10 });
      // A probe beside the attack: /health/live must keep answering while it runs.
      let probeMax = 0;
      let running = true;
      const probe = (async () => {
        while (running) {
          const t0 = performance.now();
          await fetch(`${g.gw.url}/health/live`);
          probeMax = Math.max(probeMax, performance.now() - t0);
        }
      })();
      delay.enable();
      const res = await runTool(org, agent.id, name, { s: attack });
      delay.disable();
      running = false;
      await probe;
      expect(res.status).toBe(200);
      expect(res.body.data.tool_calls[0].result).toMatch(/must match pattern/);
      expect(delay.max / 1e6).toBeLessThan(250);
      expect(probeMax).toBeLessThan(500);
    });

    it('patterns and patternProperties still validate (on the linear-time engine)', async () => {
      const org = `org-pattern-${unique()}`;
      const name = `codes_${unique()}`;
      const { agent } = await toolAndAgent(org, {
        name,
        parameters: {
          type: 'object',
          properties: { code: { type: 'string', pattern: '^[A-Z]{3}-\\d{2}$' } },
          patternProperties: { '^x_[a-z]+$': { type: 'number' } },
        },
      });
      const good = await runTool(org, agent.id, name, { code: 'ABC-12', x_size: 3 });
      expect(good.body.data.tool_calls[0].result).toBe('{"ok":true}');
      const bad = await runTool(org, agent.id, name, { code: 'abc-12', x_size: 'big' });
      expect(bad.body.data.tool_calls[0].result).toMatch(/must match pattern/);
      expect(bad.body.data.tool_calls[0].result).toMatch(/must be number/);
    });

    it('refuses at creation a pattern the linear-time engine cannot run (backreference)', async () => {
      const res = await call(`org-backref-${unique()}`, 'POST', '/api/v1/tools', {
        name: `backref_${unique()}`,
        url: `${tools.url}/ok`,
        parameters: {
          type: 'object',
          properties: { s: { type: 'string', pattern: '^(a+)\\1$' } },
        },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.message).toMatch(/pattern/);
    });
  });

  describe('one Ajv instance for all orgs (major 6)', () => {
    const withId = (type: string) => ({
      $id: 'https://schemas.example.com/args.json',
      type: 'object',
      properties: { v: { type } },
      required: ['v'],
    });

    it('two orgs storing schemas with the same $id both keep working', async () => {
      const name = `shared_${unique()}`;
      const a = await toolAndAgent(`org-id-a-${unique()}`, { name, parameters: withId('string') });
      const b = await toolAndAgent(`org-id-b-${unique()}`, { name, parameters: withId('number') });
      const orgA = a.agent.org_id as string;
      const orgB = b.agent.org_id as string;

      const first = await runTool(orgA, a.agent.id, name, { v: 'x' });
      expect(first.status).toBe(200);
      expect(first.body.data.tool_calls[0].result).toBe('{"ok":true}');
      const second = await runTool(orgB, b.agent.id, name, { v: 1 });
      expect(second.status).toBe(200);
      expect(second.body.data.tool_calls[0].result).toBe('{"ok":true}');
      // Each org is validated against its own schema, not the other's.
      const crossed = await runTool(orgB, b.agent.id, name, { v: 'x' });
      expect(crossed.body.data.tool_calls[0].result).toMatch(/must be number/);
    });

    it('an edited tool works at once, with its new schema', async () => {
      const org = `org-edit-${unique()}`;
      const name = `edited_${unique()}`;
      const { tool, agent } = await toolAndAgent(org, { name, parameters: withId('string') });
      expect((await runTool(org, agent.id, name, { v: 'x' })).status).toBe(200);

      const patched = await call(org, 'PATCH', `/api/v1/tools/${tool.id}`, {
        parameters: withId('number'),
      });
      expect(patched.status).toBe(200);
      const after = await runTool(org, agent.id, name, { v: 2 });
      expect(after.status).toBe(200);
      expect(after.body.data.tool_calls[0].result).toBe('{"ok":true}');
      const stale = await runTool(org, agent.id, name, { v: 'x' });
      expect(stale.body.data.tool_calls[0].result).toMatch(/must be number/);
    });
  });

  describe('a tool redirect to another origin', () => {
    it.each([302, 303])(
      'a %s reaches the other origin without the tool headers or the arguments',
      async (status) => {
        const org = `org-redir-${unique()}`;
        const name = `redir_${unique()}`;
        const { agent } = await toolAndAgent(org, {
          name,
          url: `${tools.url}/redirect?status=${status}`,
          headers: { authorization: 'Bearer tool-secret-xyz' },
          parameters: { type: 'object', properties: { card: { type: 'string' } } },
        });
        const before = elsewhere.received.length;
        const res = await runTool(org, agent.id, name, { card: '4111-1111' });
        expect(res.status).toBe(200);
        const landed = elsewhere.received.slice(before);
        expect(landed).toHaveLength(1);
        expect(landed[0].authorization).toBeUndefined();
        expect(landed[0].body).toBe('');
        expect(landed[0].method).toBe('GET');
      },
    );

    it('a 307 to another origin is not followed (it would resend the arguments)', async () => {
      const org = `org-redir-${unique()}`;
      const name = `redir_${unique()}`;
      const { agent } = await toolAndAgent(org, {
        name,
        url: `${tools.url}/redirect?status=307`,
        headers: { authorization: 'Bearer tool-secret-xyz' },
        parameters: { type: 'object', properties: { card: { type: 'string' } } },
      });
      const before = elsewhere.received.length;
      const res = await runTool(org, agent.id, name, { card: '4111-1111' });
      expect(res.status).toBe(200);
      expect(elsewhere.received.length).toBe(before);
      expect(res.body.data.tool_calls[0].result).toMatch(/redirect/);
    });
  });
});
