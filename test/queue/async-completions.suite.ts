import { randomUUID } from 'node:crypto';
import { mockDirective } from '../mock-upstream/server';
import { startGatewayWithMock, type GatewayWithMock } from '../support/gateway-with-mock';
import { callJson, type Json } from '../support/json';
import { authHeaders, signToken } from '../support/test-app';
import { JobTransport } from '../../src/modules/queue/core/job-transport';
import { verifyWebhook } from '../../src/modules/queue/webhooks/webhook-signature';
import { eventually } from './eventually';
import { startReceiver, type Receiver } from './queue-harness';

const ROUTE = '/api/v2/model/chat/completion';

/**
 * Async (webhook) completions through the whole app and the mock upstream. Run in embedded mode
 * (in-process queue) by the e2e suite and over RabbitMQ by the integration suite. The app may
 * reach 127.0.0.1 (the receiver) through EGRESS_ALLOWLIST; other private addresses stay blocked.
 */
export function asyncCompletionsSuite(
  env: () => Record<string, string | undefined>,
  hooks: { beforeClose?: (t: GatewayWithMock) => void | Promise<void> } = {},
): void {
  let t: GatewayWithMock;
  let receiver: Receiver;
  let org: string;
  let agentId: string;
  let n = 0;
  const key = () => `q${process.pid}-${++n}`;
  const user = (claims: Record<string, unknown> = {}) =>
    authHeaders(signToken({ org_id: org, ...claims }));
  const admin = () => user({ scopes: ['admin'] });

  const call = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
    callJson(t.gw.url, method, path, headers, body);
  const submit = (body: Record<string, unknown>, headers: Record<string, string> = user()) =>
    call('POST', ROUTE, headers, {
      agent_id: agentId,
      response_format: {
        type: 'webhook',
        url: receiver.url,
        headers: { authorization: 'Bearer rcv' },
      },
      ...body,
    });
  const job = async (id: string) =>
    (await call('GET', `/api/v2/model/jobs/${id}`, user())).body.data;
  const settled = async (id: string, status: string) => {
    let last: Json;
    try {
      await eventually(`job ${id} ${status}`, async () => {
        last = await job(id);
        return last.status === status;
      });
    } catch (e) {
      throw new Error(`${(e as Error).message}; last seen: ${JSON.stringify(last)}`);
    }
  };

  beforeAll(async () => {
    t = await startGatewayWithMock({
      EGRESS_ALLOWLIST: '127.0.0.1',
      QUEUE_RETRY_BASE_MS: '10',
      QUEUE_MAX_ATTEMPTS: '3',
      PROVIDER_MAX_RETRIES: '0',
      RATE_LIMIT_USER_PER_MINUTE: '0',
      RATE_LIMIT_THREAD_PER_MINUTE: '0',
      ...env(),
    });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    if (t) await hooks.beforeClose?.(t);
    await t?.close();
  });
  beforeEach(async () => {
    org = `org-${randomUUID()}`;
    receiver.requests.length = 0;
    receiver.script.length = 0;
    const created = await call('POST', '/api/v1/agents', admin(), {
      name: `async-${randomUUID().slice(0, 8)}`,
      service: 'openai',
      model: 'gpt-4o-mini',
      prompt: 'Be brief.',
    });
    expect(created.status).toBe(201);
    agentId = created.body.data.id;
  });

  it('answers 202 with a job id, then POSTs the signed answer and stores it', async () => {
    const res = await submit({ user: 'hello async' });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(res.body).toEqual({
      success: true,
      data: { job_id: expect.stringMatching(/^job_/), status: 'queued' },
    });
    const id = res.body.data.job_id as string;
    await settled(id, 'completed');
    expect(receiver.requests).toHaveLength(1);
    const hook = receiver.requests[0];
    const body = JSON.parse(hook.body);
    expect(body).toMatchObject({
      job_id: id,
      type: 'completion',
      status: 'completed',
      data: { agent_id: agentId, content: 'Echo: hello async', service: 'openai', cached: false },
    });
    expect(hook.headers.authorization).toBe('Bearer rcv');
    expect(hook.headers['x-job-id']).toBe(id);

    // The receiver verifies the signature with the org's secret, as an admin reads it.
    const secret = await call('GET', '/api/v1/webhook-secret', admin());
    expect(secret.status).toBe(200);
    expect(secret.headers.get('cache-control')).toBe('no-store');
    expect(secret.body.data.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    const sig = {
      signature: hook.headers['x-signature'] as string,
      timestamp: hook.headers['x-timestamp'] as string,
    };
    expect(verifyWebhook(secret.body.data.secret, sig, hook.body)).toBe(true);
    expect(verifyWebhook(secret.body.data.secret, sig, hook.body.replace('Echo', 'Ech0'))).toBe(
      false,
    );
    expect((await call('GET', '/api/v1/webhook-secret', user())).status).toBe(403);

    const stored = await job(id);
    expect(stored).toMatchObject({
      job_id: id,
      type: 'completion',
      status: 'completed',
      attempts: 1,
      error: null,
    });
    expect(stored.result).toEqual(body.data);
  });

  it('returns the same job for a repeated Idempotency-Key and refuses the key for another request', async () => {
    const k = `idem-${randomUUID()}`;
    const first = await submit({ user: 'once only' }, { ...user(), 'idempotency-key': k });
    const again = await submit({ user: 'once only' }, { ...user(), 'idempotency-key': k });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body.data.job_id).toBe(first.body.data.job_id);
    const other = await submit({ user: 'something else' }, { ...user(), 'idempotency-key': k });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('CONFLICT');
    await settled(first.body.data.job_id, 'completed');
    expect(receiver.requests).toHaveLength(1);
    const bad = await submit({ user: 'x' }, { ...user(), 'idempotency-key': 'has spaces in it' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/Idempotency-Key/);
  });

  it('refuses what cannot work, with 400s naming the field', async () => {
    const stream = await submit({ user: 'x', stream: true });
    expect(stream.status).toBe(400);
    expect(stream.body.error.message).toMatch(/stream/);
    const reserved = await submit({
      user: 'x',
      response_format: { type: 'webhook', url: receiver.url, headers: { 'X-Signature': 'forged' } },
    });
    expect(reserved.status).toBe(400);
    expect(reserved.body.error.message).toMatch(/x-signature/i);
    const privateIp = await submit({
      user: 'x',
      response_format: { type: 'webhook', url: 'http://10.1.2.3/hook' },
    });
    expect(privateIp.status).toBe(400);
    expect(privateIp.body.error.message).toMatch(/egress policy/);
    const noUrl = await submit({ user: 'x', response_format: { type: 'webhook' } });
    expect(noUrl.status).toBe(400);
  });

  it('delivers a definite failure (unknown agent) as a failed job', async () => {
    const res = await submit({ user: 'x', agent_id: 'agt_doesnotexist0000000000' });
    expect(res.status).toBe(202);
    const id = res.body.data.job_id as string;
    await settled(id, 'failed');
    expect(JSON.parse(receiver.requests[0].body)).toMatchObject({
      job_id: id,
      status: 'failed',
      error: { code: 'NOT_FOUND' },
    });
    expect(await job(id)).toMatchObject({
      attempts: 1,
      result: null,
      error: { code: 'NOT_FOUND' },
    });
  });

  it('retries a provider failure, and a failed webhook without calling the provider again', async () => {
    const k = key();
    receiver.script.push(503);
    const res = await submit({
      user: `retry me ${mockDirective({ key: k, fail_first: 1, status: 500 })}`,
    });
    const id = res.body.data.job_id as string;
    await settled(id, 'completed');
    const stored = await job(id);
    // Run 1: provider 500. Run 2: answer saved, webhook 503. Run 3: delivery only.
    expect(stored.attempts).toBe(3);
    expect(stored.last_error).toMatchObject({
      code: 'WEBHOOK_FAILED',
      message: 'Webhook answered HTTP 503',
    });
    expect(t.mock.requests({ key: k }).map((r) => r.status)).toEqual([500, 200]);
    expect(receiver.requests).toHaveLength(2);
    expect(JSON.parse(receiver.requests[1].body).data.content).toBe('Echo: retry me');
  });

  it('dead-letters after the cap with a final webhook; admins list and requeue it, and the saved answer is delivered', async () => {
    const k = key();
    receiver.script.push(500, 500, 500);
    const res = await submit({ user: `deliver me ${mockDirective({ key: k })}` });
    const id = res.body.data.job_id as string;
    await settled(id, 'dead');
    expect(await job(id)).toMatchObject({
      attempts: 3,
      error: { code: 'WEBHOOK_FAILED' },
      result: { content: 'Echo: deliver me' },
    });
    // The owner hears that the job is dead, once, with the failure.
    await eventually('the dead webhook', () => receiver.requests.length === 4);
    expect(JSON.parse(receiver.requests[3].body)).toEqual({
      job_id: id,
      type: 'completion',
      status: 'dead',
      error: { code: 'WEBHOOK_FAILED', message: 'Webhook answered HTTP 500' },
    });
    const list = await call('GET', '/api/v1/queue/dead-letters?type=completion', admin());
    expect(list.status).toBe(200);
    expect(list.body.data.map((j: Json) => j.job_id)).toEqual([id]);
    expect((await call('GET', '/api/v1/queue/dead-letters', user())).status).toBe(403);
    const elsewhere = await call(
      'GET',
      '/api/v1/queue/dead-letters',
      authHeaders(signToken({ org_id: `o-${randomUUID()}`, scopes: ['admin'] })),
    );
    expect(elsewhere.body.data).toEqual([]);

    const requeued = await call('POST', `/api/v1/queue/dead-letters/${id}/requeue`, admin());
    expect(requeued.status).toBe(202);
    expect(requeued.body.data).toMatchObject({ job_id: id, status: 'queued', attempts: 0 });
    await settled(id, 'completed');
    expect(receiver.requests).toHaveLength(5);
    expect(JSON.parse(receiver.requests[4].body)).toMatchObject({
      job_id: id,
      status: 'completed',
    });
    expect(t.mock.requests({ key: k })).toHaveLength(1);
    // Requeued, it is no longer among the dead letters.
    expect((await t.gw.app.get(JobTransport).depth('completion')).dead).toBe(0);
    expect((await call('POST', `/api/v1/queue/dead-letters/${id}/requeue`, admin())).status).toBe(
      409,
    );
  });

  it('keeps jobs to their org and checks the id', async () => {
    const res = await submit({ user: 'mine' });
    const id = res.body.data.job_id as string;
    const other = await call(
      'GET',
      `/api/v2/model/jobs/${id}`,
      authHeaders(signToken({ org_id: `o-${randomUUID()}` })),
    );
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('NOT_FOUND');
    const bad = await call('GET', '/api/v2/model/jobs/not-a-job', user());
    expect(bad.status).toBe(400);
    await settled(id, 'completed');
  });

  it('reports queue metrics', async () => {
    const res = await submit({ user: 'count me' });
    await settled(res.body.data.job_id, 'completed');
    const text = await (await fetch(`${t.gw.url}/metrics`)).text();
    expect(text).toMatch(/gateway_queue_depth\{type="completion",queue="work"\} 0/);
    expect(text).toMatch(/gateway_queue_depth\{type="completion",queue="dead"\} \d+/);
    expect(text).toMatch(/gateway_queue_jobs_total\{type="completion",outcome="completed"\} [1-9]/);
    expect(text).toMatch(/gateway_queue_in_flight\{type="completion"\} 0/);
    expect(text).toMatch(/gateway_webhook_deliveries_total\{result="delivered"\} [1-9]/);
    expect(text).toMatch(/gateway_queue_broker_connected\{transport="[a-z-]+"\} 1/);
  });
}
