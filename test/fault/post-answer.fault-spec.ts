import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/server';
import { describeWithServices } from '../support/services';
import { adminToken, createAgent, FaultEnv, type ServiceName } from './support/fault-env';
import { startGateway } from './support/gateway-process';
import {
  isStoreUnavailable,
  killUnderLoad,
  outageUnderLoad,
  report,
  tally,
  unexpected,
  ZERO_LOSS,
  type Target,
} from './support/scenario';
import { ApiReader } from './support/stores';

/** The blackhole of item 5, and the longest a request bounded by the DB timeouts may take. */
const PARTITION_MS = 16_000;
const HELD_MS = 12_000;

// Outages of 10 s, restarts and draining: each test bounds its own waits.
jest.setTimeout(150_000);

/**
 * Issue 15, items 3 and 4: what the client was told succeeded (an answered completion) is never
 * missing from its thread, call log or usage after `kill -9` or a 10 s outage of any service,
 * and nothing is appended twice. In every mode: documents on PostgreSQL; on MongoDB with
 * metrics on PostgreSQL; embedded (PGlite, in-process queue).
 */
describeWithServices(
  ['DATABASE_URL', 'REDIS_URL', 'RABBITMQ_URL'],
  'post-answer writes, PostgreSQL + Redis + RabbitMQ (fault)',
  () => {
    const ctx = withServices({ redis: true, rabbitmq: true });

    it('item 4: kill -9 under load loses no exchange, call log or usage row of an answered request', async () => {
      const { org, agentId } = await ctx.scenario('kill');
      const { sent, audit } = await killUnderLoad(ctx.t, org, agentId);
      report('kill -9 (documents on postgres)', sent, audit);
      expect(tally(unexpected(sent, () => false))).toEqual({});
      expect(audit).toEqual({ ...audit, ...ZERO_LOSS });
    });

    for (const service of ['postgres', 'redis', 'rabbitmq'] as const) {
      it(`items 3 and 5: a 10 s ${service} outage loses nothing answered; refusals are 503 with Retry-After`, async () => {
        await outageScenario(service);
      });
    }

    async function outageScenario(service: ServiceName) {
      const { org, agentId } = await ctx.scenario(service);
      const { sent, audit } = await outageUnderLoad(
        ctx.t,
        ctx.f.proxy(service),
        'refuse',
        org,
        agentId,
      );
      report(`${service} outage (documents on postgres)`, sent, audit);
      expect(tally(unexpected(sent, isStoreUnavailable))).toEqual({});
      expect(audit).toEqual({ ...audit, ...ZERO_LOSS });
    }
  },
);

describeWithServices(
  ['DATABASE_URL', 'MONGODB_URI', 'RABBITMQ_URL'],
  'post-answer writes, MongoDB (FerretDB) + PostgreSQL + RabbitMQ (fault)',
  () => {
    const ctx = withServices({ mongo: true, rabbitmq: true }, { DB_QUERY_TIMEOUT_MS: '2000' });

    it('item 4: kill -9 under load loses nothing answered', async () => {
      const { org, agentId } = await ctx.scenario('kill');
      const { sent, audit } = await killUnderLoad(ctx.t, org, agentId);
      report('kill -9 (documents on mongodb)', sent, audit);
      expect(tally(unexpected(sent, () => false))).toEqual({});
      expect(audit).toEqual({ ...audit, ...ZERO_LOSS });
    });

    for (const service of ['mongodb', 'postgres'] as const) {
      it(`items 3 and 5: a 10 s ${service} outage loses nothing answered`, async () => {
        const { org, agentId } = await ctx.scenario(service);
        const { sent, audit } = await outageUnderLoad(
          ctx.t,
          ctx.f.proxy(service),
          'refuse',
          org,
          agentId,
        );
        report(`${service} outage (documents on mongodb)`, sent, audit);
        expect(tally(unexpected(sent, isStoreUnavailable))).toEqual({});
        expect(audit).toEqual({ ...audit, ...ZERO_LOSS });
      });
    }

    it('item 5: a blackholed MongoDB holds no request and loses nothing answered', async () => {
      const { org, agentId } = await ctx.scenario('hole');
      const { sent, audit } = await outageUnderLoad(
        ctx.t,
        ctx.f.proxy('mongodb'),
        'blackhole',
        org,
        agentId,
        { outageMs: PARTITION_MS },
      );
      report(
        'blackholed mongodb',
        sent,
        audit,
        `, slowest ${Math.max(...sent.map((s) => s.ms))} ms`,
      );
      expect(tally(unexpected(sent, isStoreUnavailable))).toEqual({});
      expect(audit).toEqual({ ...audit, ...ZERO_LOSS });
      // DB_QUERY_TIMEOUT_MS is 2 s here: getting a connection and the query are each bounded
      // by it (a silent socket closes after 3 s). An answered request can meet a silent MongoDB
      // in up to three bounded operations in a row (reads before the provider call, then the
      // post-answer write before it is spooled to PostgreSQL): 9.6 s was measured in CI. The
      // partition lasts 16 s, so a request it held would take that long; a bounded one stays
      // under 12 s.
      expect(sent.filter((s) => s.ms > HELD_MS)).toEqual([]);
    });
  },
);

describe('post-answer writes, embedded PGlite + in-process queue (fault)', () => {
  let mock: MockUpstream;
  let t: Target;
  const org = `org-embedded-${randomUUID()}`;

  beforeAll(async () => {
    mock = await startMockUpstream({ record: false });
    const env = {
      OPENAI_BASE_URL: `${mock.url}/v1`,
      RATE_LIMIT_USER_PER_MINUTE: '1000000',
      RATE_LIMIT_THREAD_PER_MINUTE: '1000000',
    };
    const gw = await startGateway(env);
    t = { gw, env, run: 'emb', auditor: new ApiReader(() => t.gw.url, adminToken(org)) };
  });
  afterAll(async () => {
    await t?.gw.stop();
    if (t) rmSync(t.gw.dataDir, { recursive: true, force: true });
    await mock?.close();
  });

  it('item 4: kill -9 under load loses nothing answered (PGlite restarts on the same data)', async () => {
    const agentId = await createAgent(t.gw.url, org);
    const { sent, audit } = await killUnderLoad(t, org, agentId, 60);
    report('kill -9 (embedded)', sent, audit);
    expect(tally(unexpected(sent, () => false))).toEqual({});
    expect(audit).toEqual({ ...audit, ...ZERO_LOSS });
  });
});

/** A gateway on real services behind fault proxies, shared by one describe's tests. */
function withServices(
  topology: { mongo?: boolean; redis?: boolean; rabbitmq?: boolean },
  env: Record<string, string> = {},
) {
  const ctx = {
    f: undefined as unknown as FaultEnv,
    t: undefined as unknown as Target,
    mock: undefined as unknown as MockUpstream,
    scenario: async (name: string) => {
      const org = `org-${name}-${randomUUID()}`;
      return { org, agentId: await ctx.f.agent(ctx.t.gw, org) };
    },
  };
  beforeAll(async () => {
    ctx.mock = await startMockUpstream({ record: false });
    ctx.f = await FaultEnv.start(topology, { OPENAI_BASE_URL: `${ctx.mock.url}/v1`, ...env });
    const gw = await startGateway(ctx.f.env);
    ctx.t = { gw, env: ctx.f.env, run: ctx.f.run, auditor: ctx.f.reader };
  });
  afterEach(async () => {
    await ctx.f.restoreAll();
  });
  afterAll(async () => {
    await ctx.t?.gw.stop();
    if (ctx.t) rmSync(ctx.t.gw.dataDir, { recursive: true, force: true });
    await ctx.f?.close();
    await ctx.mock?.close();
  });
  return ctx;
}
