import { randomUUID } from 'node:crypto';
import { connected } from '../queue/rabbitmq.kit';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/server';
import type { AmqpConnectionModel } from '../../src/modules/queue/transports/rabbitmq/amqp-types';
import { describeWithServices, SERVICE_URLS } from '../support/services';
import { FaultEnv } from './support/fault-env';
import { startGateway, type GatewayProcess } from './support/gateway-process';
import { FINAL, Hooks, jobRows, submitJob, type JobRow } from './support/jobs';
import { OUTAGE_MS } from './support/scenario';
import { waitFor } from './support/wait';

/**
 * Issue 15, items 1, 2, 4 (async) and 7: every accepted job (202) reaches a final state after
 * any single fault, its webhook says how it ended, and a completed job's thread holds its
 * exchange exactly once. Job store on PostgreSQL, transport RabbitMQ.
 */
// Outages of 10 s, restarts and draining: each test bounds its own waits.
jest.setTimeout(150_000);

describeWithServices(['DATABASE_URL', 'RABBITMQ_URL'], 'jobs under faults (fault)', () => {
  let mock: MockUpstream;
  let f: FaultEnv;
  let hooks: Hooks;
  let gw: GatewayProcess;

  beforeAll(async () => {
    mock = await startMockUpstream({ record: true });
    hooks = await Hooks.start();
    f = await FaultEnv.start(
      { rabbitmq: true },
      {
        OPENAI_BASE_URL: `${mock.url}/v1`,
        ANTHROPIC_BASE_URL: mock.url,
        PROVIDER_MAX_RETRIES: '0',
        QUEUE_RETRY_BASE_MS: '300',
        QUEUE_MAX_ATTEMPTS: '3',
        QUEUE_PUBLISH_TIMEOUT_MS: '4000',
      },
    );
    gw = await startGateway(f.env);
  });
  afterEach(async () => {
    await f.restoreAll();
  });
  afterAll(async () => {
    await gw?.stop();
    await f?.close();
    await hooks?.close();
    await mock?.close();
  });

  const setup = async (name: string, agent: Record<string, unknown> = {}) => {
    const org = `org-${name}-${randomUUID()}`;
    return { org, token: f.token(org), agentId: await f.agent(gw, org, agent) };
  };
  const submit = async (
    s: { token: string; agentId: string },
    user: string,
    extra: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) => {
    const r = await submitJob(
      gw,
      s.token,
      {
        agent_id: s.agentId,
        user,
        cache: false,
        response_format: { type: 'webhook', url: hooks.url },
        ...extra,
      },
      headers,
    );
    if (r.status !== 202 || !r.jobId)
      throw new Error(`submit: ${r.status} ${JSON.stringify(r.body)}`);
    return r.jobId;
  };
  const allFinal = (org: string, n: number, timeoutMs = 60_000) =>
    waitFor(
      `${n} jobs of ${org} to reach a final state`,
      async () => {
        const rows = await jobRows(f.reader, org);
        return rows.length === n && rows.every((r) => FINAL.has(r.status)) ? rows : undefined;
      },
      { timeoutMs, everyMs: 200 },
    ).catch(async (e: Error) => {
      throw new Error(`${e.message}; now: ${JSON.stringify(await jobRows(f.reader, org))}`);
    });
  const exchanges = async (org: string) => (await f.reader.read(org)).exchanges;

  it('item 1: jobs running while PostgreSQL is cut for 10 s all complete, each appended once', async () => {
    const s = await setup('pgcut');
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      ids.push(
        await submit(s, `slow question ${i} #mock{"delay_ms":1500}`, { thread_id: `th-${i}` }),
      );
    }
    await waitFor('four jobs running', async () => {
      const rows = await jobRows(f.reader, s.org);
      return rows.filter((r) => r.status === 'running').length >= 4;
    });
    await f.proxy('postgres').refuse();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await f.proxy('postgres').restore();
    const rows = await allFinal(s.org, 6);
    const x = await exchanges(s.org);
    const delivered = hooks.byJob();
    process.stdout.write(
      `[fault] jobs during a postgres cut: ${JSON.stringify(count(rows))}, webhooks ${ids.filter((id) => delivered.has(id)).length}/6\n`,
    );
    expect(rows.map((r) => r.status)).toEqual(Array(6).fill('completed'));
    for (let i = 0; i < 6; i++) expect(x.get(`th-${i}`)).toBe(1);
    for (const id of ids) expect(delivered.get(id)?.at(-1)?.status).toBe('completed');
  });

  it('item 2: a job stored but never published before a crash still runs, without a client retry', async () => {
    const s = await setup('stranded');
    f.proxy('rabbitmq').blackhole();
    const pending = submit(
      s,
      'stranded question',
      { thread_id: 'th-stranded' },
      {
        'idempotency-key': 'stranded-1',
      },
    ).catch(() => undefined);
    const [job] = await waitFor('the job to be stored', async () => {
      const rows = await jobRows(f.reader, s.org);
      return rows.length === 1 ? rows : undefined;
    });
    await gw.kill9();
    await pending;
    await f.proxy('rabbitmq').restore();
    gw = await startGateway(f.env);
    const [done] = await allFinal(s.org, 1, 45_000);
    expect(done).toMatchObject({ id: job.id, status: 'completed' });
    expect((await exchanges(s.org)).get('th-stranded')).toBe(1);
    // A client that does retry gets the same job.
    const again = await submitJob(
      gw,
      s.token,
      {
        agent_id: s.agentId,
        user: 'stranded question',
        thread_id: 'th-stranded',
        cache: false,
        response_format: { type: 'webhook', url: hooks.url },
      },
      { 'idempotency-key': 'stranded-1' },
    );
    expect(again).toMatchObject({ status: 202, jobId: job.id });
  });

  it('item 4: kill -9 among async jobs: each completed job is appended exactly once', async () => {
    const s = await setup('kill');
    const ids: string[] = [];
    for (let i = 0; i < 16; i++) {
      ids.push(await submit(s, `question ${i} #mock{"delay_ms":300}`, { thread_id: `th-${i}` }));
    }
    await waitFor('a few webhooks', () => ids.filter((id) => hooks.byJob().has(id)).length >= 4);
    await gw.kill9();
    gw = await startGateway(f.env);
    const rows = await allFinal(s.org, 16);
    const x = await exchanges(s.org);
    const delivered = hooks.byJob();
    const missing = rows.filter((r) => r.status === 'completed' && x.get(threadOf(ids, r)) !== 1);
    process.stdout.write(
      `[fault] async jobs across kill -9: ${JSON.stringify(count(rows))}, appended once ${rows.length - missing.length}/16, webhooks ${ids.filter((id) => delivered.has(id)).length}/16\n`,
    );
    expect(rows.map((r) => r.status)).toEqual(Array(16).fill('completed'));
    expect(missing).toEqual([]);
    for (const id of ids) expect(delivered.get(id)?.at(-1)?.status).toBe('completed');
  });

  it('item 7: a dead job sends its final webhook; requeue removes its dead letter', async () => {
    const s = await setup('dead');
    const key = `dead-${randomUUID()}`;
    const id = await submit(s, `doomed #mock{"key":"${key}","fail_first":3,"status":503}`);
    const [dead] = await allFinal(s.org, 1);
    expect(dead.status).toBe('dead');
    const final = await waitFor('the dead webhook', () => hooks.byJob().get(id)?.at(-1));
    expect(final).toMatchObject({ status: 'dead', error: { code: expect.any(String) } });
    expect(await deadLetters()).toBeGreaterThanOrEqual(1);
    const before = await deadLetters();
    const res = await fetch(`${gw.url}/api/v1/queue/dead-letters/${id}/requeue`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.token}` },
    });
    expect(res.status).toBe(202);
    await waitFor(
      'the requeued job to complete',
      async () => (await jobRows(f.reader, s.org))[0].status === 'completed',
    );
    expect(await deadLetters()).toBe(before - 1);
  });

  it('item 7: retries wait out an open circuit breaker instead of burning attempts', async () => {
    // Anthropic's breaker only: the other scenarios use OpenAI.
    const s = await setup('breaker', { service: 'anthropic', model: 'claude-haiku-4-5' });
    const opened = `breaker-${randomUUID()}`;
    for (let i = 0; i < 5; i++) {
      await fetch(`${gw.url}/api/v2/model/chat/completion`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          agent_id: s.agentId,
          user: `fail #mock{"key":"${opened}","status":500}`,
          cache: false,
        }),
      });
    }
    const key = `after-${randomUUID()}`;
    const id = await submit(s, `patient question #mock{"key":"${key}"}`);
    const [row] = await allFinal(s.org, 1, 75_000);
    process.stdout.write(`[fault] job behind an open breaker: ${JSON.stringify(row)}\n`);
    expect(row).toMatchObject({ id, status: 'completed' });
    expect(mock.requests({ key }).length).toBe(1);
  });

  async function deadLetters(): Promise<number> {
    const conn = await connected(SERVICE_URLS.RABBITMQ_URL!);
    try {
      const ch = await (conn.connection as AmqpConnectionModel).createChannel();
      const { messageCount } = await ch.checkQueue(`${f.prefix}.jobs.completion.dead`);
      await ch.close();
      return messageCount;
    } finally {
      await conn.close();
    }
  }
});

function count(rows: JobRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

function threadOf(ids: string[], r: JobRow): string {
  return `th-${ids.indexOf(r.id)}`;
}
