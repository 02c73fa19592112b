import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { deferred, eventually } from '../queue/eventually';
import { startReceiver, type Receiver } from '../queue/queue-harness';
import { startGatewayWithMock, type GatewayWithMock } from '../support/gateway-with-mock';
import { json } from '../support/json';
import { authHeaders, signToken } from '../support/test-app';

/**
 * Embedded mode across a restart: SIGTERM-style shutdown lets the running job finish, and a job
 * that was still waiting in the in-memory queue is recovered from the job store on the next start.
 */
describe('in-process queue across a graceful restart', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aimw-queue-restart-'));
  const headers = authHeaders(signToken({ org_id: 'org-restart', scopes: ['admin'] }));
  let receiver: Receiver;
  let t: GatewayWithMock | undefined;
  const env = {
    DATA_DIR: dataDir,
    QUEUE_CONCURRENCY: '1',
    EGRESS_ALLOWLIST: '127.0.0.1',
    SHUTDOWN_TIMEOUT_MS: '20000',
  };
  const call = async (method: string, p: string, body?: unknown) => {
    const { 'content-type': _ct, ...bare } = headers;
    const res = await fetch(`${t!.gw.url}${p}`, {
      method,
      headers: body === undefined ? bare : headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await json(res) };
  };

  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await t?.close();
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes the running job on shutdown and runs the waiting one after the restart', async () => {
    t = await startGatewayWithMock(env);
    const agent = await call('POST', '/api/v1/agents', {
      name: 'restart',
      service: 'openai',
      model: 'gpt-4o-mini',
      prompt: '',
    });
    const submit = async (user: string) =>
      (
        await call('POST', '/api/v2/model/chat/completion', {
          agent_id: agent.body.data.id,
          user,
          response_format: { type: 'webhook', url: receiver.url },
        })
      ).body.data.job_id as string;

    const gate = deferred();
    receiver.hold = gate.promise;
    const running = await submit('first');
    await eventually('the first webhook POST to arrive', () => receiver.requests.length === 1);
    const waiting = await submit('second'); // concurrency 1: it waits behind the first

    const closing = t.close();
    await new Promise((r) => setImmediate(r));
    gate.resolve(); // the webhook answers while the app is shutting down
    await closing;
    receiver.hold = undefined;
    expect(receiver.requests).toHaveLength(1);

    t = await startGatewayWithMock(env);
    const job = async (id: string) => (await call('GET', `/api/v2/model/jobs/${id}`)).body.data;
    expect(await job(running)).toMatchObject({ status: 'completed', attempts: 1 });
    await eventually(
      'the waiting job to run after the restart',
      async () => (await job(waiting)).status === 'completed',
    );
    expect(receiver.requests.map((r) => JSON.parse(r.body).data.content)).toEqual([
      'Echo: first',
      'Echo: second',
    ]);
  });
});
