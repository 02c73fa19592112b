import { mockDirective } from '../mock-upstream/server';
import { startGatewayWithMock, type GatewayWithMock } from '../support/gateway-with-mock';
import { callJson } from '../support/json';
import { authHeaders, signToken } from '../support/test-app';

/**
 * Issue 14, major 7: circuit breaker blast radius. The deployment's key is shared by every org;
 * one org's failing requests must not make the provider unavailable for the others, client
 * errors must never count, and /metrics must not name keys or orgs.
 */

/** Each test uses its own service (each has its own deployment key and circuits): no shared state. */
const completion = (
  g: GatewayWithMock,
  org: string,
  content: string,
  model = 'openai/gpt-4o-mini',
) =>
  callJson(g.gw.url, 'POST', '/v1/chat/completions', authHeaders(signToken({ org_id: org })), {
    model,
    messages: [{ role: 'user', content }],
  });
const GROQ = 'groq/llama-3.1-8b-instant';
const MISTRAL = 'mistral/mistral-large-latest';
const GEMINI = 'gemini/gemini-2.5-flash';

describe('circuit breaker blast radius, default settings (issue 14, major 7)', () => {
  let g: GatewayWithMock;
  beforeAll(async () => {
    // Fast retries: the mock answers with retry-after-ms 1, which the retry policy honours.
    g = await startGatewayWithMock();
  });
  afterAll(() => g?.close());

  it('two failing requests from one org do not make the provider unavailable for another org', async () => {
    const failing = mockDirective({ status: 500, retry_after_ms: 1 });
    for (let i = 0; i < 2; i++) {
      const res = await completion(g, 'org-noisy-default', `boom ${failing}`);
      expect(res.status).toBe(502);
    }
    const other = await completion(g, 'org-bystander-default', 'hello');
    expect(other.status).toBe(200);
    expect(other.body.choices[0].message.content).toBe('Echo: hello');
  });
});

describe('circuit breaker blast radius, low thresholds', () => {
  let g: GatewayWithMock;
  beforeAll(async () => {
    g = await startGatewayWithMock({
      PROVIDER_MAX_RETRIES: '0',
      PROVIDER_BREAKER_MIN_CALLS: '5',
      PROVIDER_BREAKER_MIN_TENANTS: '3',
    });
  });
  afterAll(() => g?.close());

  it("one org's failures open only its own view: it gets 503 with Retry-After, others are served", async () => {
    const failing = mockDirective({ status: 500 });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      statuses.push((await completion(g, 'org-noisy', `boom ${failing}`)).status);
    }
    expect(statuses.slice(0, 5)).toEqual([502, 502, 502, 502, 502]);
    expect(statuses.slice(5)).toEqual([503, 503, 503]);

    const refused = await completion(g, 'org-noisy', 'and now a good one');
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

    for (const org of ['org-b', 'org-c']) {
      const res = await completion(g, org, 'hello');
      expect(res.status).toBe(200);
    }
  });

  it('never counts client errors: 30 rejected requests leave the circuit closed', async () => {
    const invalid = mockDirective({ status: 400 });
    for (let i = 0; i < 30; i++) {
      const res = await completion(g, 'org-sloppy', `bad ${invalid}`, GROQ);
      expect(res.status).toBe(400);
    }
    expect((await completion(g, 'org-sloppy', 'fine', GROQ)).status).toBe(200);
  });

  it('opens for everyone when several orgs fail', async () => {
    const failing = mockDirective({ status: 503 });
    for (const org of ['org-x', 'org-y', 'org-z', 'org-w']) {
      for (let i = 0; i < 3; i++) await completion(g, org, `down ${failing}`, MISTRAL);
    }
    const fresh = await completion(g, 'org-fresh', 'hello', MISTRAL);
    expect(fresh.status).toBe(503);
    expect(fresh.body.error.message).toMatch(/temporarily unavailable/);
  });

  it('puts no org, key fingerprint or tool name on /metrics', async () => {
    const failing = mockDirective({ status: 500 });
    for (let i = 0; i < 6; i++) await completion(g, 'org-metered', `boom ${failing}`, GEMINI);
    const res = await fetch(`${g.gw.url}/metrics`);
    const text = await res.text();
    expect(text).toMatch(/gateway_provider_circuits_open\{service="gemini",scope="tenant"\} [1-9]/);
    expect(text).not.toMatch(/org-metered|org-noisy|org-sloppy|org-fresh/);
    expect(text).not.toMatch(/\bkey="/);
    expect(text).not.toMatch(/gateway_tool_call\w*\{[^}]*tool=/);
  });
});
