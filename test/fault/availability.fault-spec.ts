import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/server';
import { describeWithServices } from '../support/services';
import { FaultEnv } from './support/fault-env';
import { startGateway, type GatewayProcess } from './support/gateway-process';
import { Hooks, submitJob } from './support/jobs';
import {
  isStoreUnavailable,
  Load,
  OUTAGE_MS,
  report,
  settledAudit,
  tally,
  unexpected,
} from './support/scenario';
import { waitFor } from './support/wait';

jest.setTimeout(150_000);

const zeroLoss = {
  lostExchanges: 0,
  duplicatedExchanges: 0,
  lostCallLogs: 0,
  duplicatedCallLogs: 0,
  lostUsageRows: 0,
  duplicatedUsageRows: 0,
};

/**
 * Issue 15, items 5 and 8: a database fault is a 503 with Retry-After (never a 500) and never
 * holds a request for the length of a partition; configuration read on the hot path outlives
 * its cache TTL while the store is down; readiness notices a silent broker; a request that
 * arrives during shutdown gets the error envelope. Documents on PostgreSQL, jobs on RabbitMQ.
 */
describeWithServices(['DATABASE_URL', 'RABBITMQ_URL'], 'availability under faults (fault)', () => {
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
        CONFIG_CACHE_TTL_MS: '1000',
        DB_QUERY_TIMEOUT_MS: '2000',
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

  const post = async (path: string, token: string, body: unknown) => {
    const res = await fetch(`${gw.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      body: await res.json(),
    };
  };

  it('item 5: a PostgreSQL outage answers 503 with Retry-After, never 500, and /v1 outlives the config cache TTL', async () => {
    const org = `org-pg-${randomUUID()}`;
    const token = f.token(org);
    const agentId = await f.agent(gw, org);
    const load = new Load({
      url: () => gw.url,
      org,
      agentId,
      run: f.run,
      concurrency: 3,
      threads: false,
    }).start();
    await load.answered(10);
    await f.proxy('postgres').refuse();
    const cut = Date.now();
    try {
      const history = await post('/api/v2/model/chat/completion', token, {
        agent_id: agentId,
        user: 'needs its history',
        thread_id: 'th-history',
      });
      expect(history).toMatchObject({
        status: 503,
        body: { error: { code: 'SERVICE_UNAVAILABLE' } },
      });
      expect(history.retryAfter).toMatch(/^\d+$/);
      const async = await submitJob(gw, token, {
        agent_id: agentId,
        user: 'async while the database is down',
        response_format: { type: 'webhook', url: hooks.url },
      });
      expect(async).toMatchObject({
        status: 503,
        body: { error: { code: 'SERVICE_UNAVAILABLE' } },
      });
      // Past the 1 s TTL of agents and provider keys, with the store still down.
      await waitFor(
        'a request answered from cached configuration past its TTL',
        () => load.ok().some((s) => s.at > cut + 2000),
        { timeoutMs: OUTAGE_MS },
      );
      await delay(Math.max(0, cut + OUTAGE_MS - Date.now()));
    } finally {
      await f.proxy('postgres').restore();
    }
    await load.answered(10);
    const sent = await load.stop();
    const audit = await settledAudit(f.reader, org, sent);
    report('postgres outage, /v1 without threads', sent, audit);
    expect(tally(unexpected(sent, isStoreUnavailable))).toEqual({});
    expect(audit).toEqual({ ...audit, ...zeroLoss });
  });

  it('item 5: a blackholed PostgreSQL holds no request for the partition', async () => {
    const org = `org-hole-${randomUUID()}`;
    const agentId = await f.agent(gw, org);
    const load = new Load({ url: () => gw.url, org, agentId, run: f.run, concurrency: 3 }).start();
    await load.answered(10);
    f.proxy('postgres').blackhole();
    const start = Date.now();
    await delay(OUTAGE_MS);
    await f.proxy('postgres').restore();
    await load.answered(10);
    const sent = await load.stop();
    // Requests in flight in the first 3 s of the 10 s partition, and how long each spent inside
    // it: one that waited for the partition to end would have spent 7 s or more.
    const inside = sent
      .filter((s) => s.at < start + 3000 && s.at + s.ms > start)
      .map((s) => s.at + s.ms - Math.max(s.at, start));
    const audit = await settledAudit(f.reader, org, sent);
    report(
      'blackholed postgres',
      sent,
      audit,
      `, longest wait inside the partition ${Math.max(...inside)} ms`,
    );
    expect(inside.length).toBeGreaterThan(0);
    expect(inside.filter((ms) => ms > 6000)).toEqual([]);
    expect(tally(unexpected(sent, isStoreUnavailable))).toEqual({});
    expect(audit).toEqual({ ...audit, ...zeroLoss });
  });

  it('item 8: readiness turns red within seconds when the broker goes silent', async () => {
    const ready = async () => {
      const res = await fetch(`${gw.url}/health/ready`);
      return {
        status: res.status,
        body: (await res.json()) as { dependencies: Record<string, { status: string }> },
      };
    };
    await waitFor('ready', async () => (await ready()).status === 200);
    f.proxy('rabbitmq').blackhole();
    const silent = Date.now();
    const red = await waitFor(
      'readiness to report the silent broker',
      async () => {
        const r = await ready();
        return r.status === 503 && r.body.dependencies.rabbitmq.status === 'down' ? r : undefined;
      },
      { timeoutMs: 6000, everyMs: 200 },
    );
    process.stdout.write(`[fault] silent broker reported after ${Date.now() - silent} ms\n`);
    expect(red.body.dependencies.rabbitmq.status).toBe('down');
    await f.proxy('rabbitmq').restore();
    await waitFor('ready again', async () => (await ready()).status === 200, { timeoutMs: 30_000 });
  });

  it('item 8: a request on a kept-alive connection during shutdown gets the envelope with Retry-After', async () => {
    const own = await startGateway(f.env);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const token = f.token(`org-shutdown-${randomUUID()}`);
    try {
      const key = `slow-${randomUUID()}`;
      const slow = request(agent, own, 'POST', '/v1/chat/completions', token, {
        model: 'openai/gpt-4o-mini',
        messages: [{ role: 'user', content: `slow #mock{"key":"${key}","delay_ms":1500}` }],
      });
      await mock.waitFor((r) => r.key === key, 10_000);
      own.signal('SIGTERM');
      expect((await slow).status).toBe(200);
      const after = await request(agent, own, 'GET', '/api/v1/agents', token);
      expect(after.reusedSocket).toBe(true);
      expect(after.status).toBe(503);
      expect(after.headers['retry-after']).toMatch(/^\d+$/);
      expect(JSON.parse(after.body)).toMatchObject({
        success: false,
        error: { code: 'SERVICE_UNAVAILABLE' },
      });
      expect(await own.exited).toBe(0);
    } finally {
      agent.destroy();
      await own.stop();
    }
  });
});

function request(
  agent: http.Agent,
  gw: GatewayProcess,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  reusedSocket: boolean;
}> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${gw.url}${path}`,
      {
        method,
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text,
            reusedSocket: req.reusedSocket,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
