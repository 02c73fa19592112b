import { randomBytes, randomUUID } from 'node:crypto';
import { asyncCompletionsSuite } from '../queue/async-completions.suite';
import { eventually } from '../queue/eventually';
import { startReceiver, type Receiver } from '../queue/queue-harness';
import { declaredTypes, deleteTopology } from '../queue/rabbitmq.kit';
import { TcpProxy } from '../queue/tcp-proxy';
import { startGatewayWithMock, type GatewayWithMock } from '../support/gateway-with-mock';
import { freePort } from '../support/free-port';
import { json } from '../support/json';
import { authHeaders, signToken } from '../support/test-app';
import { describeWithServices, SERVICE_URLS } from '../support/services';

/** Names of this run's exchange and queues, so parallel and earlier runs never share them. */
const prefix = () => `aimwtest-${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;

describeWithServices(
  ['RABBITMQ_URL', 'DATABASE_URL', 'MONGODB_URI'],
  'async completions over RabbitMQ (whole app, job store on MongoDB)',
  () => {
    const p = prefix();
    let types: Array<{ type: string; maxAttempts: number }> = [];
    afterAll(async () => {
      await deleteTopology(SERVICE_URLS.RABBITMQ_URL!, p, types);
    });
    describe('flows', () => {
      asyncCompletionsSuite(
        () => ({
          ...SERVICE_URLS,
          REDIS_URL: undefined,
          QUEUE_PREFIX: p,
          ENCRYPTION_KEY: randomBytes(32).toString('hex'),
        }),
        // Every module's job types, not only `completion`, have queues under the prefix.
        { beforeClose: (t) => void (types = declaredTypes(t.gw.app)) },
      );
    });
  },
);

describeWithServices(['RABBITMQ_URL', 'DATABASE_URL'], 'RabbitMQ down at start and mid-run', () => {
  const p = prefix();
  let proxy: TcpProxy;
  let t: GatewayWithMock;
  let receiver: Receiver;
  const org = `org-${randomUUID()}`;
  const headers = () => authHeaders(signToken({ org_id: org, scopes: ['admin'] }));
  let agentId: string;

  const post = async (path: string, body: unknown, extra: Record<string, string> = {}) => {
    const res = await fetch(`${t.gw.url}${path}`, {
      method: 'POST',
      headers: { ...headers(), ...extra },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await json(res) };
  };
  const get = async (path: string) => {
    const res = await fetch(`${t.gw.url}${path}`, { headers: headers() });
    return { status: res.status, body: await json(res) };
  };
  const submit = (user: string, extra: Record<string, string> = {}) =>
    post(
      '/api/v2/model/chat/completion',
      { agent_id: agentId, user, response_format: { type: 'webhook', url: receiver.url } },
      extra,
    );
  const completed = (id: string) =>
    eventually(
      `job ${id} completed`,
      async () => (await get(`/api/v2/model/jobs/${id}`)).body.data?.status === 'completed',
      20_000,
    );

  beforeAll(async () => {
    const broker = new URL(SERVICE_URLS.RABBITMQ_URL!);
    proxy = new TcpProxy(await freePort(), {
      host: broker.hostname,
      port: Number(broker.port || 5672),
    });
    const viaProxy = new URL(SERVICE_URLS.RABBITMQ_URL!);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    receiver = await startReceiver();
    // The broker is unreachable when the app starts: it boots anyway.
    t = await startGatewayWithMock({
      DATABASE_URL: SERVICE_URLS.DATABASE_URL,
      RABBITMQ_URL: viaProxy.toString(),
      QUEUE_PREFIX: p,
      // Short enough that a submit during the outage is refused well inside the 5 s asserted
      // below; long enough that a broker confirm on a loaded CI machine is not mistaken for one.
      QUEUE_PUBLISH_TIMEOUT_MS: '2000',
      QUEUE_RETRY_BASE_MS: '10',
      EGRESS_ALLOWLIST: '127.0.0.1',
      RATE_LIMIT_USER_PER_MINUTE: '0',
    });
    const agent = await post('/api/v1/agents', {
      name: 'outage',
      service: 'openai',
      model: 'gpt-4o-mini',
      prompt: '',
    });
    agentId = agent.body.data.id;
  });
  afterAll(async () => {
    const types = t ? declaredTypes(t.gw.app) : [];
    await t?.close();
    await proxy?.stop();
    await receiver?.close();
    await deleteTopology(SERVICE_URLS.RABBITMQ_URL!, p, types);
  });

  it('answers 503 quickly while the broker is down, then recovers and consumes by itself', async () => {
    const ready = await fetch(`${t.gw.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect((await json(ready)).dependencies.rabbitmq.status).toBe('down');

    const started = Date.now();
    const down = await submit('during the outage', { 'idempotency-key': 'outage-1' });
    expect(down.status).toBe(503);
    expect(down.body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(5000);
    const failedId = down.body.error.details.job_id as string;
    expect((await get(`/api/v2/model/jobs/${failedId}`)).body.data).toMatchObject({
      status: 'failed',
      error: { code: 'NOT_ENQUEUED' },
    });

    await proxy.start();
    await eventually(
      'rabbitmq ready',
      async () => (await fetch(`${t.gw.url}/health/ready`)).status === 200,
      20_000,
    );
    // The client retries with the same key: the job it was told about is queued after all.
    const retried = await submit('during the outage', { 'idempotency-key': 'outage-1' });
    expect(retried.status).toBe(202);
    expect(retried.body.data.job_id).toBe(failedId);
    await completed(failedId);

    // The broker drops every connection mid-run: consumers come back without help.
    proxy.cut();
    await eventually(
      'rabbitmq ready again',
      async () => (await fetch(`${t.gw.url}/health/ready`)).status === 200,
      20_000,
    );
    const after = await submit('after the cut');
    expect(after.status).toBe(202);
    await completed(after.body.data.job_id);
    expect(receiver.requests.map((r) => JSON.parse(r.body).data.content)).toEqual([
      'Echo: during the outage',
      'Echo: after the cut',
    ]);
  });
});
