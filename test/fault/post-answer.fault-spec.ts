import { randomUUID } from 'node:crypto';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/server';
import { describeWithServices } from '../support/services';
import { FaultEnv } from './support/fault-env';
import { startGateway, type GatewayProcess } from './support/gateway-process';
import {
  isStoreUnavailable,
  tally,
  Load,
  outage,
  report,
  settledAudit,
  unexpected,
} from './support/scenario';

/**
 * Issue 15, items 3 and 4: what the client was told succeeded (an answered completion) is never
 * missing from its thread, call log or usage after `kill -9` or an outage of any service; no
 * exchange is ever appended twice. Documents on PostgreSQL, with Redis and RabbitMQ.
 */
// Outages of 10 s, restarts and draining: each test bounds its own waits.
jest.setTimeout(150_000);

describeWithServices(
  ['DATABASE_URL', 'REDIS_URL', 'RABBITMQ_URL'],
  'post-answer writes, PostgreSQL + Redis + RabbitMQ (fault)',
  () => {
    let mock: MockUpstream;
    let f: FaultEnv;
    let gw: GatewayProcess;

    beforeAll(async () => {
      mock = await startMockUpstream({ record: false });
      f = await FaultEnv.start(
        { redis: true, rabbitmq: true },
        { OPENAI_BASE_URL: `${mock.url}/v1` },
      );
      gw = await startGateway(f.env);
    });
    afterEach(async () => {
      await f.restoreAll();
    });
    afterAll(async () => {
      await gw?.stop();
      await f?.close();
      await mock?.close();
    });

    const scenario = async (org: string) => ({
      org,
      agentId: await f.agent(gw, org),
    });

    it('item 4: kill -9 under load loses no exchange, call log or usage row of an answered request', async () => {
      const { org, agentId } = await scenario(`org-kill-${randomUUID()}`);
      const load = new Load({ url: () => gw.url, org, agentId, run: f.run, concurrency: 8 }).start();
      await load.answered(80);
      await gw.kill9();
      const sent = await load.stop();
      gw = await startGateway(f.env);
      const audit = await settledAudit(f.reader, org, sent);
      report('kill -9 (postgres documents)', sent, audit);
      expect(tally(unexpected(sent, () => false))).toEqual({});
      expect(audit).toEqual({ ...audit, ...zeroLoss });
    });

    for (const service of ['postgres', 'redis', 'rabbitmq'] as const) {
      it(`items 3 and 5: a 10 s ${service} outage loses nothing answered; refusals are 503 with Retry-After`, async () => {
        const { org, agentId } = await scenario(`org-${service}-${randomUUID()}`);
        const load = new Load({ url: () => gw.url, org, agentId, run: f.run, concurrency: 6 }).start();
        await load.answered(20);
        await outage(f.proxy(service), 'refuse');
        await load.answered(20);
        const sent = await load.stop();
        const audit = await settledAudit(f.reader, org, sent);
        report(`${service} outage (postgres documents)`, sent, audit);
        expect(tally(unexpected(sent, isStoreUnavailable))).toEqual({});
        expect(audit).toEqual({ ...audit, ...zeroLoss });
      });
    }
  },
);

const zeroLoss = {
  lostExchanges: 0,
  duplicatedExchanges: 0,
  lostCallLogs: 0,
  duplicatedCallLogs: 0,
  lostUsageRows: 0,
  duplicatedUsageRows: 0,
};
