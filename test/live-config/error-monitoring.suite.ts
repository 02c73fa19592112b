import { randomUUID } from 'node:crypto';
import { mockDirective } from '../mock-upstream/server';
import { startGatewayWithMock, type GatewayWithMock } from '../support/gateway-with-mock';
import { json } from '../support/json';
import { authHeaders, signToken } from '../support/test-app';
import { verifyWebhook } from '../../src/modules/queue';
import { until, metricValue } from './polling';
import { startHookReceiver, type HookReceiver, type ReceivedHook } from './receiver';

const DEPLOYMENT_SECRET = 'deployment-error-webhook-secret-0123456789';
const PROVIDER_KEY = 'sk-deployment-openai-key-do-not-leak-0123456789';

/**
 * Error monitoring end to end: an upstream failure is logged, counted and sent, signed, to the
 * deployment's error webhook and to the org's own, through the queue (retried when the receiver
 * fails), once per (org, code, service) per minute. Run in embedded mode (in-process queue) by
 * the e2e tier and over RabbitMQ and real stores by the integration tier.
 */
export function errorMonitoringSuite(
  env: () => Record<string, string | undefined>,
  hooks: { beforeClose?: (t: GatewayWithMock) => void } = {},
): void {
  let t: GatewayWithMock;
  let deployment: HookReceiver;
  let orgHook: HookReceiver;
  let org: string;
  let orgSecret: string;
  let orgKey: string;

  const admin = () => authHeaders(signToken({ org_id: org, scopes: ['admin'] }));
  const user = () => authHeaders(signToken({ org_id: org }));
  const chat = (content: string, model = 'openai/gpt-4o-mini', extra: object = {}) =>
    fetch(`${t.gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: user(),
      body: JSON.stringify({ model, messages: [{ role: 'user', content }], ...extra }),
    });
  const hooksOf = (r: HookReceiver, orgId: string): ReceivedHook[] =>
    r.received.filter((h) => (JSON.parse(h.body) as { org_id: string }).org_id === orgId);
  const errors = (code: string, service: string, route: string) =>
    metricValue(
      t.gw.url,
      'gateway_errors_total',
      `code="${code}",service="${service}",route="${route}"`,
    );

  beforeAll(async () => {
    deployment = await startHookReceiver();
    orgHook = await startHookReceiver();
    t = await startGatewayWithMock({
      OPENAI_API_KEY: PROVIDER_KEY,
      ERROR_WEBHOOK_URL: deployment.url,
      ERROR_WEBHOOK_SECRET: DEPLOYMENT_SECRET,
      // The receivers listen on 127.0.0.1, which the egress policy refuses by default.
      EGRESS_ALLOWLIST: '127.0.0.1',
      QUEUE_RETRY_BASE_MS: '20',
      PROVIDER_MAX_RETRIES: '0',
      RATE_LIMIT_USER_PER_MINUTE: '0',
      RATE_LIMIT_THREAD_PER_MINUTE: '0',
      ...env(),
    });
  });
  afterAll(async () => {
    if (t) hooks.beforeClose?.(t);
    await t?.close();
    await deployment?.close();
    await orgHook?.close();
  });
  beforeEach(async () => {
    org = `org-${randomUUID()}`;
    const res = await fetch(`${t.gw.url}/api/v1/settings`, {
      method: 'PUT',
      headers: admin(),
      body: JSON.stringify({ error_webhook_url: orgHook.url }),
    });
    expect(res.status).toBe(200);
    orgSecret = (await json(res)).data.error_webhook_secret as string;
    expect(orgSecret).toMatch(/^whsec_[0-9a-f]{64}$/);
    // Each test calls OpenAI with its org's own key, so its failures open no circuit for the others.
    orgKey = `sk-org-${randomUUID()}`;
    const key = await fetch(`${t.gw.url}/api/v1/provider-keys`, {
      method: 'POST',
      headers: admin(),
      body: JSON.stringify({ service: 'openai', api_key: orgKey }),
    });
    expect(key.status).toBe(201);
  });

  it('sends one signed event per receiver for an upstream failure, with no secret in it', async () => {
    const route = '/v1/chat/completions';
    const before = await errors('PROVIDER_ERROR', 'openai', route);
    const res = await chat(`secret prompt text ${mockDirective({ status: 500 })}`);
    expect(res.status).toBe(502);
    const requestId = res.headers.get('x-request-id');

    const [toDeployment] = await until('the deployment event', () => {
      const got = hooksOf(deployment, org);
      return got.length > 0 && got;
    });
    const [toOrg] = await until('the org event', () => {
      const got = hooksOf(orgHook, org);
      return got.length > 0 && got;
    });
    const event = JSON.parse(toOrg.body);
    expect(event).toEqual({
      id: expect.stringMatching(/^evt_/),
      type: 'gateway.error',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      code: 'PROVIDER_ERROR',
      status: 502,
      message: expect.stringContaining('openai returned 500'),
      service: 'openai',
      model: 'gpt-4o-mini',
      agent: null,
      org_id: org,
      request_id: requestId,
      route: 'POST /v1/chat/completions',
      suppressed_count: 0,
      window_seconds: 60,
    });
    expect(JSON.parse(toDeployment.body)).toMatchObject({ ...event, id: expect.any(String) });

    // Each receiver verifies with its own secret; neither secret opens the other's events.
    const sig = (h: ReceivedHook) => ({
      signature: h.headers['x-signature'] as string,
      timestamp: h.headers['x-timestamp'] as string,
    });
    expect(verifyWebhook(orgSecret, sig(toOrg), toOrg.body)).toBe(true);
    expect(verifyWebhook(DEPLOYMENT_SECRET, sig(toDeployment), toDeployment.body)).toBe(true);
    expect(verifyWebhook(DEPLOYMENT_SECRET, sig(toOrg), toOrg.body)).toBe(false);
    expect(toOrg.headers['x-event-id']).toBe(event.id);

    for (const h of [toOrg, toDeployment]) {
      for (const secret of [
        PROVIDER_KEY,
        orgKey,
        DEPLOYMENT_SECRET,
        orgSecret,
        'secret prompt text',
      ]) {
        expect(h.body).not.toContain(secret);
        expect(JSON.stringify(h.headers)).not.toContain(secret);
      }
    }

    // Counted once, under the HTTP route: the pipeline and the filter saw one failure.
    expect(await errors('PROVIDER_ERROR', 'openai', route)).toBe(before + 1);

    // The same failure again within the minute is held back (counted, not sent); a failure of
    // another service is sent — and once it has arrived, the first receiver still has one event.
    expect((await chat(`again ${mockDirective({ status: 500 })}`)).status).toBe(502);
    expect(
      (await chat(`other ${mockDirective({ status: 500 })}`, 'groq/llama-3.1-8b-instant')).status,
    ).toBe(502);
    await until('the groq event', () =>
      hooksOf(orgHook, org).some((h) => JSON.parse(h.body).service === 'groq'),
    );
    expect(
      hooksOf(orgHook, org).filter((h) => JSON.parse(h.body).service === 'openai'),
    ).toHaveLength(1);
    expect(await errors('PROVIDER_ERROR', 'openai', route)).toBe(before + 2);
    expect(
      await metricValue(
        t.gw.url,
        'gateway_error_webhook_events_total',
        'audience="org",result="suppressed"',
      ),
    ).toBeGreaterThanOrEqual(1);
  });

  it('names the agent and its model for a failed agent completion', async () => {
    const created = await fetch(`${t.gw.url}/api/v1/agents`, {
      method: 'POST',
      headers: admin(),
      body: JSON.stringify({
        name: `mon-${randomUUID().slice(0, 8)}`,
        service: 'openai',
        model: 'gpt-4o-mini',
        prompt: 'Be brief.',
      }),
    });
    expect(created.status).toBe(201);
    const agentId = (await json(created)).data.id as string;
    const res = await fetch(`${t.gw.url}/api/v2/model/chat/completion`, {
      method: 'POST',
      headers: user(),
      body: JSON.stringify({ agent_id: agentId, user: `hi ${mockDirective({ status: 503 })}` }),
    });
    expect(res.status).toBe(502);
    const [hook] = await until('the org event', () => {
      const got = hooksOf(orgHook, org);
      return got.length > 0 && got;
    });
    expect(JSON.parse(hook.body)).toMatchObject({
      code: 'PROVIDER_ERROR',
      service: 'openai',
      model: 'gpt-4o-mini',
      agent: agentId,
      route: 'POST /api/v2/model/chat/completion',
      request_id: res.headers.get('x-request-id'),
    });
  });

  it('retries a receiver that fails, delivering the same event again', async () => {
    orgHook.script.push(500);
    expect((await chat(`flaky ${mockDirective({ status: 500 })}`)).status).toBe(502);
    const [first, second] = await until('a retried delivery', () => {
      const got = hooksOf(orgHook, org);
      return got.length >= 2 && got;
    });
    expect(first.headers['x-webhook-attempt']).toBe('1');
    expect(second.headers['x-webhook-attempt']).toBe('2');
    expect(second.headers['x-event-id']).toBe(first.headers['x-event-id']);
    expect(second.body).toBe(first.body);
  });

  it('counts client errors (4xx) without sending them anywhere', async () => {
    const route = '/v1/chat/completions';
    const before = await errors('VALIDATION_FAILED', 'none', route);
    const bad = await chat('hello', '');
    expect(bad.status).toBe(400);
    expect(await errors('VALIDATION_FAILED', 'none', route)).toBe(before + 1);
    // A server error afterwards is sent; when it has arrived, it is the only event of the org.
    expect((await chat(`boom ${mockDirective({ status: 500 })}`)).status).toBe(502);
    await until('the 5xx event', () => hooksOf(orgHook, org).length > 0);
    expect(hooksOf(orgHook, org).map((h) => JSON.parse(h.body).code)).toEqual(['PROVIDER_ERROR']);
  });

  it('reports a stream that fails after it started (no HTTP error carries it)', async () => {
    const res = await chat(`streamed ${mockDirective({ stream_error: true })}`, undefined, {
      stream: true,
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('error');
    const [hook] = await until('the stream event', () => {
      const got = hooksOf(orgHook, org);
      return got.length > 0 && got;
    });
    expect(JSON.parse(hook.body)).toMatchObject({
      code: 'PROVIDER_ERROR',
      service: 'openai',
      model: 'gpt-4o-mini',
      route: 'pipeline',
    });
  });
}
